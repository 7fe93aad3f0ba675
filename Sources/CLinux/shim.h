// Linux kernel interfaces that Swift's Glibc module does not export; used by the pool only.
#include <sys/socket.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/mman.h>
#include <linux/memfd.h>
#include <sys/syscall.h>
#include <sys/resource.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <spawn.h>
#include <stdint.h>

// The pool's scoreboard is shared memory written by several processes, where Swift's Atomic (a value at a
// fixed address of one process) cannot live: these are the C11 builtins on plain 64-bit words.
static inline int64_t clinux_atomic_add(int64_t *word, int64_t delta) {
    return __atomic_add_fetch(word, delta, __ATOMIC_RELAXED);
}
static inline int64_t clinux_atomic_load(const int64_t *word) { return __atomic_load_n(word, __ATOMIC_RELAXED); }
static inline void clinux_atomic_store(int64_t *word, int64_t value) {
    __atomic_store_n(word, value, __ATOMIC_RELAXED);
}

// glibc declares memfd_create only under _GNU_SOURCE; the system call is the same.
static inline int clinux_memfd_create(const char *name, unsigned int flags) {
    return (int)syscall(SYS_memfd_create, name, flags);
}

// The calling thread's kernel task id, for setpriority(PRIO_PROCESS, tid, …), which on Linux sets one thread.
static inline int clinux_gettid(void) { return (int)syscall(SYS_gettid); }

// Names the calling thread (at most 15 bytes), as `top -H`, `ps -L` and /proc/PID/task/TID/comm show it.
static inline void clinux_set_thread_name(const char *name) { prctl(PR_SET_NAME, name, 0, 0, 0); }

// accept4 with SOCK_CLOEXEC, so an accepted socket never leaks into a spawned worker. glibc declares accept4
// only under _GNU_SOURCE, and defining that here changes other system headers under the other modules that
// include them (a clean build fails), so this goes through syscall(2) instead.
static inline int clinux_accept_cloexec(int socket, struct sockaddr *address, socklen_t *length) {
    return (int)syscall(SYS_accept4, socket, address, length, SOCK_CLOEXEC);
}
