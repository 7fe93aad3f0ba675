// Linux kernel interfaces that Swift's Glibc module does not export; used by the pool only.
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <spawn.h>
