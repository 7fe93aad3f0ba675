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
#include <string.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <linux/inet_diag.h>
#include <linux/rtnetlink.h>

// The pool's scoreboard is shared memory written by several processes, where Swift's Atomic (a value at a
// fixed address of one process) cannot live: these are the C11 builtins on plain 64-bit words.
static inline int64_t clinux_atomic_add(int64_t *word, int64_t delta) {
    return __atomic_add_fetch(word, delta, __ATOMIC_RELAXED);
}
static inline int64_t clinux_atomic_load(const int64_t *word) { return __atomic_load_n(word, __ATOMIC_RELAXED); }
static inline void clinux_atomic_store(int64_t *word, int64_t value) {
    __atomic_store_n(word, value, __ATOMIC_RELAXED);
}
// Raises *word to value if it is lower (a high-water mark several processes update).
static inline void clinux_atomic_max(int64_t *word, int64_t value) {
    int64_t seen = __atomic_load_n(word, __ATOMIC_RELAXED);
    while (seen < value &&
           !__atomic_compare_exchange_n(word, &seen, value, 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
    }
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

// How many connections wait in a listening socket's accept queue, and the queue's length (the backlog the
// kernel applies): 0 with both filled in, -1 when the kernel cannot tell. TCP reports both in TCP_INFO
// (tcpi_unacked and tcpi_sacked mean exactly these on a listening socket); a unix socket only through the
// sock_diag netlink interface, which `ss -x` uses too, asked for the one socket whose inode this is.
static inline int clinux_listen_queue(int listening, int64_t *queued, int64_t *length) {
    struct sockaddr_storage address;
    socklen_t address_length = sizeof address;
    if (getsockname(listening, (struct sockaddr *)&address, &address_length) != 0) return -1;
    if (address.ss_family == AF_INET || address.ss_family == AF_INET6) {
        struct tcp_info info;
        socklen_t info_length = sizeof info;
        if (getsockopt(listening, IPPROTO_TCP, TCP_INFO, &info, &info_length) != 0) return -1;
        *queued = info.tcpi_unacked;
        *length = info.tcpi_sacked;
        return 0;
    }
    if (address.ss_family != AF_UNIX) return -1;
    struct stat status;
    if (fstat(listening, &status) != 0) return -1;
    int diag = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (diag < 0) return -1;
    struct {
        struct nlmsghdr header;
        struct unix_diag_req request;
    } question;
    memset(&question, 0, sizeof question);
    question.header.nlmsg_len = sizeof question;
    question.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    question.header.nlmsg_flags = NLM_F_REQUEST;
    question.request.sdiag_family = AF_UNIX;
    question.request.udiag_states = 1 << 10;  // TCP_LISTEN, the state a listening unix socket is in
    question.request.udiag_ino = (uint32_t)status.st_ino;
    question.request.udiag_show = UDIAG_SHOW_RQLEN;
    question.request.udiag_cookie[0] = INET_DIAG_NOCOOKIE;
    question.request.udiag_cookie[1] = INET_DIAG_NOCOOKIE;
    int result = -1;
    long answer[1024];
    if (send(diag, &question, sizeof question, 0) == (ssize_t)sizeof question) {
        ssize_t received = recv(diag, answer, sizeof answer, 0);
        struct nlmsghdr *header = (struct nlmsghdr *)answer;
        if (received > 0 && NLMSG_OK(header, (size_t)received) && header->nlmsg_type == SOCK_DIAG_BY_FAMILY) {
            struct unix_diag_msg *message = NLMSG_DATA(header);
            int remaining = (int)header->nlmsg_len - (int)NLMSG_LENGTH(sizeof *message);
            for (struct rtattr *attribute = (struct rtattr *)(message + 1); RTA_OK(attribute, remaining);
                 attribute = RTA_NEXT(attribute, remaining)) {
                if (attribute->rta_type == UNIX_DIAG_RQLEN) {
                    struct unix_diag_rqlen *lengths = RTA_DATA(attribute);
                    *queued = lengths->udiag_rqueue;
                    *length = lengths->udiag_wqueue;
                    result = 0;
                }
            }
        }
    }
    close(diag);
    return result;
}
