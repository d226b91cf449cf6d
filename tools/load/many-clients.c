/*
 * many-clients.so: makes a load generator on this machine look like many users to the gateway, as real users are.
 *
 * The gateway limits requests per client address (envoy/src/policy.ts, clientRateLimit), and a load generator on one
 * machine is a single address: without this, a run offering more than the limit would measure the limit. Loaded with
 * LD_PRELOAD into wrk or Locust (tools/load/src/many-clients.ts), it wraps connect(): an IPv4 TCP socket about to
 * connect to a loopback address is first bound to the next source address of 127.1.0.1 .. 127.1.255.254, round
 * robin. Linux routes all of 127.0.0.0/8 to lo, so any of them is a valid source once bound explicitly; the gateway
 * then sees one address per connection. Anything else (another destination, a socket already bound, UDP, IPv6) is
 * left alone, and a failed bind leaves the connection to the kernel's usual source.
 *
 * Built by scripts/setup.sh: gcc -O2 -shared -fPIC -o .tools/lib/many-clients.so tools/load/many-clients.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

/* 127.1.0.1 .. 127.1.255.254: the host part never all zeros or all ones. */
#define FIRST_ADDRESS 0x7f010001u
#define ADDRESSES 65534u

typedef int (*connect_fn)(int, const struct sockaddr *, socklen_t);

static atomic_uint next_address;
/* The process that owns the counter: a forked worker (Locust's --processes) starts its own sequence elsewhere. */
static atomic_int counter_owner;

static connect_fn real_connect(void) {
  static _Atomic(connect_fn) found;
  connect_fn fn = atomic_load(&found);
  if (fn == NULL) {
    fn = (connect_fn)dlsym(RTLD_NEXT, "connect");
    atomic_store(&found, fn);
  }
  return fn;
}

static int is_loopback_ipv4(const struct sockaddr *to, socklen_t length) {
  if (to == NULL || length < (socklen_t)sizeof(struct sockaddr_in) || to->sa_family != AF_INET) return 0;
  const struct sockaddr_in *in = (const struct sockaddr_in *)to;
  return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
}

static int unbound_stream_socket(int fd) {
  int type = 0;
  socklen_t type_length = sizeof type;
  if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &type_length) != 0 || type != SOCK_STREAM) return 0;
  struct sockaddr_in local;
  socklen_t local_length = sizeof local;
  if (getsockname(fd, (struct sockaddr *)&local, &local_length) != 0 || local.sin_family != AF_INET) return 0;
  return local.sin_addr.s_addr == htonl(INADDR_ANY) && local.sin_port == 0;
}

static uint32_t next_source(void) {
  int pid = (int)getpid();
  int owner = atomic_load(&counter_owner);
  if (owner != pid && atomic_compare_exchange_strong(&counter_owner, &owner, pid)) {
    /* Spread processes over the range (Knuth's multiplicative hash of the pid) so their addresses rarely meet. */
    atomic_store(&next_address, (unsigned)pid * 2654435761u);
  }
  return FIRST_ADDRESS + atomic_fetch_add(&next_address, 1) % ADDRESSES;
}

int connect(int fd, const struct sockaddr *to, socklen_t length) {
  connect_fn connect_for_real = real_connect();
  if (connect_for_real == NULL) {
    errno = ENOSYS;
    return -1;
  }
  if (is_loopback_ipv4(to, length)) {
    int saved_errno = errno;
    if (unbound_stream_socket(fd)) {
      struct sockaddr_in source = {.sin_family = AF_INET, .sin_port = 0, .sin_addr = {.s_addr = htonl(next_source())}};
      /* The port is chosen at connect(), for the whole 4-tuple, not reserved by bind() for this address alone. */
      int on = 1;
      setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &on, sizeof on);
      (void)bind(fd, (const struct sockaddr *)&source, sizeof source);
    }
    errno = saved_errno;
  }
  return connect_for_real(fd, to, length);
}
