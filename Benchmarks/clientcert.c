/*
 * clientcert.so: gives OpenSSL clients that have no client-certificate option (wrk, h2load) one.
 *
 *   gcc -shared -fPIC -O2 -o clientcert.so clientcert.c -ldl
 *   BENCH_CLIENT_CERT=writer.pem BENCH_CLIENT_KEY=writer-key.pem LD_PRELOAD=./clientcert.so wrk ...
 *
 * Every SSL_CTX the program creates gets the chain and key from those two files.
 * BENCH_NO_RESUME=1 also turns TLS session resumption off, so that every new connection is a
 * full handshake (wrk reuses the SSL object of a closed connection with SSL_clear, which keeps the
 * session and would resume it). BENCH_TLS_STATS=FILE writes, at exit, one line
 * "handshakes=N resumed=M": the handshakes the program completed and how many of them resumed a
 * session, so the harness can check what a handshake-rate run really measured.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>

static unsigned long handshakes;
static unsigned long resumed;
/* SSL_connect calls SSL_do_handshake inside libssl; count that handshake once. */
static __thread int in_connect;

static int no_resume(void) {
    const char *value = getenv("BENCH_NO_RESUME");
    return value != NULL && value[0] == '1';
}

SSL_CTX *SSL_CTX_new(const SSL_METHOD *method) {
    static SSL_CTX *(*real)(const SSL_METHOD *);
    if (real == NULL) real = (SSL_CTX * (*)(const SSL_METHOD *)) dlsym(RTLD_NEXT, "SSL_CTX_new");
    SSL_CTX *ctx = real(method);
    if (ctx == NULL) return NULL;
    const char *cert = getenv("BENCH_CLIENT_CERT");
    const char *key = getenv("BENCH_CLIENT_KEY");
    if (cert != NULL && key != NULL) {
        if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
            SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
            fprintf(stderr, "clientcert.so: cannot load %s / %s\n", cert, key);
            abort();
        }
    }
    if (no_resume()) {
        SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
        SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    }
    return ctx;
}

int SSL_clear(SSL *ssl) {
    static int (*real)(SSL *);
    if (real == NULL) real = (int (*)(SSL *))dlsym(RTLD_NEXT, "SSL_clear");
    int result = real(ssl);
    if (no_resume()) SSL_set_session(ssl, NULL);
    return result;
}

static void count(SSL *ssl, int result) {
    if (result != 1) return;
    __atomic_add_fetch(&handshakes, 1, __ATOMIC_RELAXED);
    if (SSL_session_reused(ssl)) __atomic_add_fetch(&resumed, 1, __ATOMIC_RELAXED);
}

int SSL_connect(SSL *ssl) {
    static int (*real)(SSL *);
    if (real == NULL) real = (int (*)(SSL *))dlsym(RTLD_NEXT, "SSL_connect");
    in_connect = 1;
    int result = real(ssl);
    in_connect = 0;
    count(ssl, result);
    return result;
}

int SSL_do_handshake(SSL *ssl) {
    static int (*real)(SSL *);
    if (real == NULL) real = (int (*)(SSL *))dlsym(RTLD_NEXT, "SSL_do_handshake");
    int result = real(ssl);
    if (!in_connect && SSL_is_server(ssl) == 0) count(ssl, result);
    return result;
}

__attribute__((destructor)) static void report(void) {
    const char *path = getenv("BENCH_TLS_STATS");
    if (path == NULL) return;
    FILE *file = fopen(path, "w");
    if (file == NULL) return;
    fprintf(file, "handshakes=%lu resumed=%lu\n", handshakes, resumed);
    fclose(file);
}
