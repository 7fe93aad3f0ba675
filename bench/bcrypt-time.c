/*
 * The time of one bcrypt verification, through the same libxcrypt the pool links (crypt.h, crypt_rn), at a
 * given cost: the unit of the login benchmark's bound (cores ÷ this time = the most logins a second the
 * machine can verify).
 *
 * usage: bcrypt-time COST [VERIFICATIONS]   prints the median in milliseconds, e.g. "241.37"
 *
 * One thread, nothing else: the median of several verifications, so that one preempted run on a noisy
 * machine does not move the bound.
 */
#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int compare_doubles(const void *left, const void *right) {
    double a = *(const double *)left, b = *(const double *)right;
    return (a > b) - (a < b);
}

static double now_ms(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec * 1e3 + now.tv_nsec / 1e6;
}

int main(int argc, char **argv) {
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s COST [VERIFICATIONS]\n", argv[0]);
        return 2;
    }
    long cost = strtol(argv[1], NULL, 10);
    int verifications = argc == 3 ? atoi(argv[2]) : 7;
    if (cost < 4 || cost > 31 || verifications < 1 || verifications > 1000) {
        fprintf(stderr, "cost must be 4-31 and verifications 1-1000\n");
        return 2;
    }

    char setting[CRYPT_GENSALT_OUTPUT_SIZE];
    if (crypt_gensalt_rn("$2b$", (unsigned long)cost, NULL, 0, setting, sizeof setting) == NULL) {
        perror("crypt_gensalt_rn");
        return 1;
    }
    static struct crypt_data data;
    const char *password = "correct horse battery staple";
    char *hashed = crypt_rn(password, setting, &data, sizeof data);
    if (hashed == NULL || hashed[0] == '*') {
        fprintf(stderr, "crypt_rn could not hash at cost %ld\n", cost);
        return 1;
    }
    char hash[CRYPT_OUTPUT_SIZE];
    strncpy(hash, hashed, sizeof hash - 1);
    hash[sizeof hash - 1] = '\0';

    double *times = calloc((size_t)verifications, sizeof *times);
    if (times == NULL) return 1;
    for (int index = 0; index < verifications; index++) {
        double start = now_ms();
        char *verified = crypt_rn(password, hash, &data, sizeof data);
        times[index] = now_ms() - start;
        if (verified == NULL || strcmp(verified, hash) != 0) {
            fprintf(stderr, "verification did not reproduce the hash\n");
            return 1;
        }
    }
    qsort(times, (size_t)verifications, sizeof *times, compare_doubles);
    printf("%.2f\n", times[verifications / 2]);
    free(times);
    return 0;
}
