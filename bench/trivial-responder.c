/*
 * The benchmark's ceiling: a threaded libfcgi responder that does no work at all.
 *
 * Every request gets `200 OK`, `Content-Type: application/json` and `{"status":"ok"}` (whatever the path or
 * method), so nginx + TLS + FastCGI framing is all that is measured. bench/run puts it behind the same nginx
 * template as the Swift pool and reports the pool's throughput as a fraction of this one.
 *
 * usage: trivial-responder SOCKET_PATH [THREADS]     (THREADS defaults to 8)
 * build: gcc -O2 -pthread -o trivial-responder trivial-responder.c -lfcgi
 *
 * Differences from libfcgi's examples/threaded.c, which falls into libfcgi's traps (docs/pool.md):
 *  - signals: SIGTERM/SIGINT/SIGHUP/SIGQUIT are blocked before any thread starts and taken by the main thread
 *    with sigwait(), so a signal never interrupts a request thread's read or write (libfcgi installs its
 *    handlers without SA_RESTART) and the process really stops on SIGTERM (a threaded libfcgi app blocked in
 *    accept() otherwise ignores it). Stopping is immediate: in-flight requests are dropped, which is fine
 *    for a bench target that is stopped only after the load generator has finished.
 *  - FCGX_Accept_r failures (EMFILE, ENFILE, ENOMEM, ... are not retried by libfcgi) are logged and retried
 *    after a short back-off instead of silently ending the thread.
 *  - the request body, if any, is read to the end before answering, so nginx never writes into a closed
 *    connection (POST endpoints can be benchmarked against the same ceiling);
 *  - write errors (client gone) are ignored: the next request proceeds normally.
 *  - the listen backlog is 1024: a short unix-socket queue turned bursts into 502s (docs/pool.md).
 */
#include <errno.h>
#include <fcgiapp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { BACKLOG = 1024, MAX_THREADS = 256 };

static const char RESPONSE[] =
    "Status: 200 OK\r\n"
    "Content-Type: application/json\r\n"
    "Cache-Control: no-store\r\n"
    "Content-Length: 15\r\n"
    "\r\n"
    "{\"status\":\"ok\"}";

static int listen_socket;

static void sleep_milliseconds(long milliseconds) {
    struct timespec delay = {milliseconds / 1000, (milliseconds % 1000) * 1000000L};
    while (nanosleep(&delay, &delay) == -1 && errno == EINTR) {
    }
}

static void *serve(void *unused) {
    (void)unused;
    FCGX_Request request;
    if (FCGX_InitRequest(&request, listen_socket, 0) != 0) {
        fprintf(stderr, "trivial-responder: FCGX_InitRequest failed\n");
        return NULL;
    }
    char discard[16384];
    long backoff = 0;
    for (;;) {
        int status = FCGX_Accept_r(&request);
        if (status < 0) {
            /* libfcgi returns -errno; back off so a lasting EMFILE does not spin. */
            backoff = backoff == 0 ? 10 : (backoff * 2 > 1000 ? 1000 : backoff * 2);
            fprintf(stderr, "trivial-responder: FCGX_Accept_r: %s; retrying in %ld ms\n",
                    status > -10000 ? strerror(-status) : "libfcgi error", backoff);
            sleep_milliseconds(backoff);
            continue;
        }
        backoff = 0;
        while (FCGX_GetStr(discard, sizeof discard, request.in) > 0) {
        }
        FCGX_PutStr(RESPONSE, (int)(sizeof RESPONSE - 1), request.out);
        FCGX_Finish_r(&request);
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s SOCKET_PATH [THREADS]\n", argv[0]);
        return 2;
    }
    const char *path = argv[1];
    long threads = 8;
    if (argc == 3) {
        char *end = NULL;
        threads = strtol(argv[2], &end, 10);
        if (end == argv[2] || *end != '\0' || threads < 1 || threads > MAX_THREADS) {
            fprintf(stderr, "trivial-responder: THREADS must be 1..%d\n", MAX_THREADS);
            return 2;
        }
    }
    if (path[0] != '/') {
        fprintf(stderr, "trivial-responder: SOCKET_PATH must be an absolute unix socket path\n");
        return 2;
    }

    /* Before FCGX_Init and before any thread exists, so every thread inherits the mask. */
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGHUP);
    sigaddset(&stop_signals, SIGQUIT);
    int error = pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    if (error != 0) {
        fprintf(stderr, "trivial-responder: pthread_sigmask: %s\n", strerror(error));
        return 1;
    }

    if (FCGX_Init() != 0) {
        fprintf(stderr, "trivial-responder: FCGX_Init failed\n");
        return 1;
    }
    /* FCGX_OpenSocket unlinks a stale socket file, binds and listens. */
    listen_socket = FCGX_OpenSocket(path, BACKLOG);
    if (listen_socket < 0) {
        fprintf(stderr, "trivial-responder: cannot listen on %s\n", path);
        return 1;
    }
    /* Only the owner (bench/run's user, which also runs the bench nginx) may connect. */
    if (chmod(path, 0600) != 0) {
        fprintf(stderr, "trivial-responder: chmod %s: %s\n", path, strerror(errno));
        return 1;
    }

    pthread_t thread;
    for (long index = 0; index < threads; index++) {
        error = pthread_create(&thread, NULL, serve, NULL);
        if (error != 0) {
            fprintf(stderr, "trivial-responder: pthread_create: %s\n", strerror(error));
            unlink(path);
            return 1;
        }
        pthread_detach(thread);
    }
    fprintf(stderr, "trivial-responder: listening on %s with %ld threads\n", path, threads);

    int received = 0;
    do {
        error = sigwait(&stop_signals, &received);
    } while (error == EINTR);
    unlink(path);
    fprintf(stderr, "trivial-responder: signal %d; stopping\n", received);
    /* _exit: request threads may be inside libfcgi; running exit handlers under them is not safe. */
    _exit(0);
}
