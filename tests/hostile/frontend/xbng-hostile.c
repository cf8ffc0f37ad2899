// SPDX-License-Identifier: GPL-2.0
/*
 * xbng-hostile: a hostile Xen PV block frontend in user space.
 *
 * It runs in a lab domU that has NOT loaded xen-blkfront, takes over the
 * frontend directory of one vbd (device/vbd/<devid>) and plays frontend
 * itself: ring pages and data pages are shared with dom0 through
 * /dev/xen/gntalloc, the event channel comes from /dev/xen/evtchn and
 * xenstore is spoken directly over /dev/xen/xenbus (the xs wire protocol,
 * no libxenstore).  Then it sends one crafted case and prints
 *
 *   CASE <name>: <what happened> (expected <what the test wants>) ok|FAIL
 *
 * and exits 0 when every check of the case held, 1 otherwise, 2 on a setup
 * problem.  The protocol layouts below are written from the public
 * definitions (xen/interface/io/blkif.h, ring.h, xs_wire.h), x86_64 ABI.
 *
 * Usage: xbng-hostile [-d devid] [-n count] [-t seconds] [-p 0|1] CASE
 *        xbng-hostile -l          (list the cases)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
typedef uint16_t domid_t;	/* uapi evtchn.h uses it undefined */
#include <xen/evtchn.h>
#include <xen/gntalloc.h>

#define PAGE 4096u

/* ---------------------------------------------------------------- misc */

static const char *g_case = "?";
static int g_fail;

static void die(const char *fmt, ...)
{
	va_list ap;

	printf("CASE %s: setup error: ", g_case);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" FAIL\n");
	fflush(stdout);
	exit(2);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* One check of a case: prints a result line, counts failures. */
static void check(bool ok, const char *what, const char *fmt, ...)
{
	va_list ap;

	printf("CASE %s: %s: ", g_case, what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" %s\n", ok ? "ok" : "FAIL");
	fflush(stdout);
	if (!ok)
		g_fail++;
}

static void info(const char *fmt, ...)
{
	va_list ap;

	printf("INFO %s: ", g_case);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* ------------------------------------------------------ xenstore client */

enum { XS_READ = 2, XS_TRANSACTION_START = 6, XS_TRANSACTION_END = 7,
       XS_WRITE = 11, XS_RM = 13, XS_WATCH_EVENT = 15, XS_ERROR = 16 };

struct xs_hdr {
	uint32_t type, req_id, tx_id, len;
};

static int xs_fd = -1;
static uint32_t xs_req;

static int xs_full(int (*op)(int, void *, size_t), void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		int n = op(xs_fd, (char *)buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += n;
	}
	return 0;
}

static int rd(int fd, void *b, size_t l) { return read(fd, b, l); }

/*
 * One request/reply.  Returns the reply type (XS_ERROR on error, with the
 * errno name in @out) or -1 if the device failed.
 */
static int xs_rpc(uint32_t type, uint32_t tx, const void *p1, size_t l1,
		  const void *p2, size_t l2, char *out, size_t outmax)
{
	char msg[4096 + sizeof(struct xs_hdr)];
	struct xs_hdr h = { type, ++xs_req, tx, (uint32_t)(l1 + l2) };
	char body[4097];

	if (l1 + l2 > 4096)
		die("xenstore message too long");
	memcpy(msg, &h, sizeof(h));
	memcpy(msg + sizeof(h), p1, l1);
	if (l2)
		memcpy(msg + sizeof(h) + l1, p2, l2);
	/* The device wants the whole message in one write. */
	if (write(xs_fd, msg, sizeof(h) + l1 + l2) != (ssize_t)(sizeof(h) + l1 + l2))
		return -1;
	for (;;) {
		if (xs_full(rd, &h, sizeof(h)) || h.len > 4096)
			return -1;
		if (xs_full(rd, body, h.len))
			return -1;
		body[h.len] = 0;
		if (h.type == XS_WATCH_EVENT)
			continue;	/* we register none */
		break;
	}
	if (out) {
		size_t n = h.len < outmax - 1 ? h.len : outmax - 1;

		memcpy(out, body, n);
		out[n] = 0;
	}
	return h.type;
}

/* Read a node; NULL-terminated value in @out; 0 or -1 (missing/error). */
static int xs_read(const char *path, char *out, size_t outmax)
{
	int t = xs_rpc(XS_READ, 0, path, strlen(path) + 1, NULL, 0, out, outmax);

	return t == XS_READ ? 0 : -1;
}

static void xs_write_tx(uint32_t tx, const char *path, const char *val)
{
	char err[64];
	int t = xs_rpc(XS_WRITE, tx, path, strlen(path) + 1, val, strlen(val),
		       err, sizeof(err));

	if (t != XS_WRITE)
		die("xenstore write %s=%s: %s", path, val, t < 0 ? "io" : err);
}

static void xs_write(const char *path, const char *val)
{
	xs_write_tx(0, path, val);
}

static void xs_rm(const char *path)
{
	xs_rpc(XS_RM, 0, path, strlen(path) + 1, NULL, 0, NULL, 0);
}

static uint32_t xs_tx_start(void)
{
	char id[32];

	if (xs_rpc(XS_TRANSACTION_START, 0, "", 1, NULL, 0, id, sizeof(id)) !=
	    XS_TRANSACTION_START)
		die("transaction start: %s", id);
	return strtoul(id, NULL, 10);
}

/* 0 on commit, 1 when xenstored asks us to retry (EAGAIN). */
static int xs_tx_end(uint32_t tx, bool commit)
{
	char err[32];
	int t = xs_rpc(XS_TRANSACTION_END, tx, commit ? "T" : "F", 2, NULL, 0,
		       err, sizeof(err));

	if (t == XS_TRANSACTION_END)
		return 0;
	if (!strcmp(err, "EAGAIN"))
		return 1;
	die("transaction end: %s", err);
	return 0;
}

static long xs_read_long(const char *path, long dflt)
{
	char v[64], *end;
	long n;

	if (xs_read(path, v, sizeof(v)))
		return dflt;
	n = strtol(v, &end, 10);
	return end == v ? dflt : n;
}

/* --------------------------------------------------------------- grants */

static int gnt_fd = -1;

struct gmem {
	uint8_t *va;
	unsigned int n;
	uint64_t index;
	uint32_t gref[64];
};

static void gmem_alloc(struct gmem *m, unsigned int n, uint16_t domid,
		       bool writable)
{
	size_t sz = sizeof(struct ioctl_gntalloc_alloc_gref) + n * sizeof(uint32_t);
	struct ioctl_gntalloc_alloc_gref *a = calloc(1, sz);

	if (!a || n > 64)
		die("gmem_alloc %u", n);
	a->domid = domid;
	a->flags = writable ? GNTALLOC_FLAG_WRITABLE : 0;
	a->count = n;
	if (ioctl(gnt_fd, IOCTL_GNTALLOC_ALLOC_GREF, a))
		die("IOCTL_GNTALLOC_ALLOC_GREF(%u): %s", n, strerror(errno));
	m->va = mmap(NULL, n * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, gnt_fd,
		     a->index);
	if (m->va == MAP_FAILED)
		die("mmap gntalloc: %s", strerror(errno));
	m->n = n;
	m->index = a->index;
	memcpy(m->gref, a->gref_ids, n * sizeof(uint32_t));
	memset(m->va, 0, n * PAGE);
	free(a);
}

static void gmem_free(struct gmem *m)
{
	struct ioctl_gntalloc_dealloc_gref d = { .index = m->index, .count = m->n };

	if (!m->n)
		return;
	munmap(m->va, m->n * PAGE);
	ioctl(gnt_fd, IOCTL_GNTALLOC_DEALLOC_GREF, &d);
	m->n = 0;
}

/* ------------------------------------------------------- event channels */

static int evt_fd = -1;

static uint32_t evt_bind(void)
{
	struct ioctl_evtchn_bind_unbound_port b = { .remote_domain = 0 };
	int port = ioctl(evt_fd, IOCTL_EVTCHN_BIND_UNBOUND_PORT, &b);

	if (port < 0)
		die("IOCTL_EVTCHN_BIND_UNBOUND_PORT: %s", strerror(errno));
	return port;
}

static void evt_notify(uint32_t port)
{
	struct ioctl_evtchn_notify n = { .port = port };

	ioctl(evt_fd, IOCTL_EVTCHN_NOTIFY, &n);
}

static void evt_unbind(uint32_t port)
{
	struct ioctl_evtchn_unbind u = { .port = port };

	ioctl(evt_fd, IOCTL_EVTCHN_UNBIND, &u);
}

/* Wait up to @ms for any event; unmask what came.  */
static void evt_wait(int ms)
{
	struct pollfd p = { .fd = evt_fd, .events = POLLIN };
	uint32_t ports[16];
	int n;

	if (poll(&p, 1, ms) <= 0)
		return;
	n = read(evt_fd, ports, sizeof(ports));
	if (n > 0)
		write(evt_fd, ports, n);
}

/* ----------------------------------------------------------- blkif wire */

#define OP_READ		0
#define OP_WRITE	1
#define OP_BARRIER	2
#define OP_FLUSH	3
#define OP_DISCARD	5
#define OP_INDIRECT	6

#define RSP_OKAY	0
#define RSP_ERROR	(-1)
#define RSP_EOPNOTSUPP	(-2)

#define SLOT		112	/* x86_64 request/response union */
#define SRING_HDR	64	/* req_prod, req_event, rsp_prod, rsp_event, pad */
#define RSP_SIZE	16	/* u64 id, u8 op, pad, s16 status, pad */

struct ring {
	struct gmem mem;
	uint32_t port;
	uint32_t nslots;
	uint32_t req_prod_pvt;
	uint32_t rsp_cons;
};

static volatile uint32_t *sr_idx(struct ring *r, int i)
{
	return (volatile uint32_t *)r->mem.va + i;
}
#define REQ_PROD(r)  (*sr_idx(r, 0))
#define REQ_EVENT(r) (*sr_idx(r, 1))
#define RSP_PROD(r)  (*sr_idx(r, 2))
#define RSP_EVENT(r) (*sr_idx(r, 3))

static uint8_t *slot(struct ring *r, uint32_t idx)
{
	return r->mem.va + SRING_HDR + (idx & (r->nslots - 1)) * SLOT;
}

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/* Ids carry non-zero bytes where a response has padding (XSA-216). */
static uint64_t mkid(unsigned int n)
{
	return 0xa5a5a5a5a5a5a500ull | (n & 0xff);
}

/* blkif_request (rw): op, nr_segments, handle, pad32, id, sector, seg[11] */
static void req_rw(uint8_t *s, uint8_t op, uint8_t nseg, uint64_t id,
		   uint64_t sector)
{
	memset(s, 0, SLOT);
	s[0] = op;
	s[1] = nseg;
	put64(s + 8, id);
	put64(s + 16, sector);
}

static void req_seg(uint8_t *s, int i, uint32_t gref, uint8_t first,
		    uint8_t last)
{
	uint8_t *g = s + 24 + 8 * i;

	put32(g, gref);
	g[4] = first;
	g[5] = last;
}

/* blkif_request_indirect: op, indirect_op, u16 nr_segments, pad32, id,
 * sector, u16 handle, pad16, u32 indirect_grefs[8], pad64 */
static void req_ind(uint8_t *s, uint8_t iop, uint16_t nseg, uint64_t id,
		    uint64_t sector, const uint32_t *igrefs, int n)
{
	memset(s, 0, SLOT);
	s[0] = OP_INDIRECT;
	s[1] = iop;
	put16(s + 2, nseg);
	put64(s + 8, id);
	put64(s + 16, sector);
	for (int i = 0; i < n; i++)
		put32(s + 28 + 4 * i, igrefs[i]);
}

/* blkif_request_discard: op, flag, pad16, pad32, id, sector, nr_sectors */
static void req_discard(uint8_t *s, uint8_t flag, uint64_t id,
			uint64_t sector, uint64_t nr)
{
	memset(s, 0, SLOT);
	s[0] = OP_DISCARD;
	s[1] = flag;
	put64(s + 8, id);
	put64(s + 16, sector);
	put64(s + 24, nr);
}

/* An indirect page entry (blkif_request_segment). */
static void ind_seg(uint8_t *page, int i, uint32_t gref, uint8_t f, uint8_t l)
{
	uint8_t *g = page + 8 * i;

	memset(g, 0, 8);
	put32(g, gref);
	g[4] = f;
	g[5] = l;
}

struct rsp {
	uint64_t id;
	uint8_t op;
	int16_t status;
};

static int g_pad_bad;		/* responses with non-zero padding */

static void ring_put(struct ring *r, const uint8_t *req)
{
	memcpy(slot(r, r->req_prod_pvt), req, SLOT);
	r->req_prod_pvt++;
}

static void ring_push(struct ring *r)
{
	__sync_synchronize();
	REQ_PROD(r) = r->req_prod_pvt;
	__sync_synchronize();
	evt_notify(r->port);
}

/*
 * Collect up to @want responses within @ms.  Returns how many came; a
 * response index more than a ring ahead counts as a backend bug (-1).
 */
static int ring_collect(struct ring *r, struct rsp *out, int want, int ms)
{
	double end = now() + ms / 1000.0;
	int got = 0;

	while (got < want) {
		uint32_t rp = RSP_PROD(r);

		__sync_synchronize();
		if (rp - r->rsp_cons > r->nslots) {
			info("backend rsp_prod %u is more than a ring past rsp_cons %u",
			     rp, r->rsp_cons);
			return -1;
		}
		while (r->rsp_cons != rp && got < want) {
			uint8_t b[RSP_SIZE];

			memcpy(b, slot(r, r->rsp_cons), RSP_SIZE);
			memcpy(&out[got].id, b, 8);
			out[got].op = b[8];
			memcpy(&out[got].status, b + 10, 2);
			if (b[9] || b[12] || b[13] || b[14] || b[15]) {
				if (!g_pad_bad)
					info("response id %#llx has padding %02x %02x%02x%02x%02x",
					     (unsigned long long)out[got].id,
					     b[9], b[12], b[13], b[14], b[15]);
				g_pad_bad++;
			}
			got++;
			r->rsp_cons++;
		}
		RSP_EVENT(r) = r->rsp_cons + 1;
		__sync_synchronize();
		if (got >= want || RSP_PROD(r) != rp)
			continue;
		if (now() >= end)
			break;
		evt_wait(50);
	}
	return got;
}

/* ------------------------------------------------------- the connection */

struct kv {
	const char *key;	/* relative to the frontend dir */
	const char *val;	/* NULL: remove the key */
};

struct plan {
	int order;		/* -1: write no ring-page-order, one ring-ref */
	int nq;			/* rings to set up; 0 = write no queue key */
	int persistent;
	const char *protocol;
	struct kv ov[8];	/* written after the normal keys */
	int nov;
};

#define MAXQ 4
static struct {
	char fe[64], be[128];
	unsigned int devid;
	struct ring ring[MAXQ];
	int nq;
	/* backend facts */
	long max_indirect, max_order, max_queues;
	unsigned long long sectors;
	long sector_size, info, discard, flush, persistent;
} C;

static int be_state(void)
{
	char p[160];

	snprintf(p, sizeof(p), "%s/state", C.be);
	return (int)xs_read_long(p, -1);
}

static void fe_write(const char *key, const char *val)
{
	char p[160];

	snprintf(p, sizeof(p), "%s/%s", C.fe, key);
	xs_write(p, val);
}

static void fe_state(int s)
{
	char v[8];

	snprintf(v, sizeof(v), "%d", s);
	fe_write("state", v);
}

/* Wait until the backend state satisfies @pred or @ms pass; last state. */
static int be_wait(bool (*pred)(int), int ms)
{
	double end = now() + ms / 1000.0;
	int s;

	for (;;) {
		s = be_state();
		if (pred(s) || now() >= end)
			return s;
		msleep(20);
	}
}

static bool st_initwait(int s) { return s == 2; }
static bool st_connected_or_failed(int s) { return s == 4 || s == 5 || s == 6 || s < 0; }
static bool st_closing(int s) { return s == 5 || s == 6 || s < 0; }
static bool st_closed(int s) { return s == 6 || s < 0; }
static bool st_settled(int s) { return s == 2 || s == 4 || s == 5 || s == 6 || s < 0; }

/*
 * Bring the backend to InitWait from whatever an earlier case on the same
 * disk left behind: Closed -> (Initialising) -> InitWait; a backend stuck
 * in Closing is first told Closed.  Returns the state reached.
 */
static int be_ready(void)
{
	int s = be_wait(st_settled, 5000);

	if (s == 5) {
		fe_state(6);
		s = be_wait(st_closed, 10000);
	}
	if (s == 6) {
		fe_state(1);
		s = be_wait(st_initwait, 15000);
	}
	return s;
}

static void be_facts(void)
{
	char p[160];

#define BE(key, dflt) (snprintf(p, sizeof(p), "%s/" key, C.be), xs_read_long(p, dflt))
	C.max_indirect = BE("feature-max-indirect-segments", 0);
	C.max_order = BE("max-ring-page-order", 0);
	C.max_queues = BE("multi-queue-max-queues", 1);
	C.sector_size = BE("sector-size", 512);
	C.info = BE("info", 0);
	C.discard = BE("feature-discard", 0);
	C.flush = BE("feature-flush-cache", 0);
	C.persistent = BE("feature-persistent", 0);
	{
		char v[64];

		snprintf(p, sizeof(p), "%s/sectors", C.be);
		C.sectors = xs_read(p, v, sizeof(v)) ? 0 : strtoull(v, NULL, 10);
	}
#undef BE
}

static void rings_free(void)
{
	for (int q = 0; q < C.nq; q++) {
		gmem_free(&C.ring[q].mem);
		evt_unbind(C.ring[q].port);
	}
	C.nq = 0;
}

static void rings_alloc(int nq, int order)
{
	unsigned int pages = 1u << (order < 0 ? 0 : order);
	unsigned int n;

	if (nq < 1)
		nq = 1;
	if (nq > MAXQ || pages > 64)
		die("rings_alloc nq %d order %d", nq, order);
	for (int q = 0; q < nq; q++) {
		struct ring *r = &C.ring[q];

		memset(r, 0, sizeof(*r));
		gmem_alloc(&r->mem, pages, 0, true);
		r->port = evt_bind();
		n = (pages * PAGE - SRING_HDR) / SLOT;
		r->nslots = 1;
		while (r->nslots * 2 <= n)
			r->nslots *= 2;
		REQ_EVENT(r) = 1;
		RSP_EVENT(r) = 1;
	}
	C.nq = nq;
}

/* Write the frontend keys the plan asks for, in one transaction. */
static void fe_publish(const struct plan *pl)
{
	char p[160], v[32], sub[32];
	uint32_t tx;

	do {
		tx = xs_tx_start();
		for (int q = 0; q < C.nq; q++) {
			struct ring *r = &C.ring[q];

			if (pl->nq > 1)
				snprintf(sub, sizeof(sub), "queue-%d/", q);
			else
				sub[0] = 0;
			if (pl->order < 0) {
				snprintf(p, sizeof(p), "%s/%sring-ref", C.fe, sub);
				snprintf(v, sizeof(v), "%u", r->mem.gref[0]);
				xs_write_tx(tx, p, v);
			} else {
				for (unsigned int i = 0; i < r->mem.n; i++) {
					snprintf(p, sizeof(p), "%s/%sring-ref%u", C.fe, sub, i);
					snprintf(v, sizeof(v), "%u", r->mem.gref[i]);
					xs_write_tx(tx, p, v);
				}
			}
			snprintf(p, sizeof(p), "%s/%sevent-channel", C.fe, sub);
			snprintf(v, sizeof(v), "%u", r->port);
			xs_write_tx(tx, p, v);
		}
		if (pl->order >= 0) {
			snprintf(p, sizeof(p), "%s/ring-page-order", C.fe);
			snprintf(v, sizeof(v), "%d", pl->order);
			xs_write_tx(tx, p, v);
		}
		if (pl->nq > 0) {
			snprintf(p, sizeof(p), "%s/multi-queue-num-queues", C.fe);
			snprintf(v, sizeof(v), "%d", pl->nq);
			xs_write_tx(tx, p, v);
		}
		snprintf(p, sizeof(p), "%s/protocol", C.fe);
		xs_write_tx(tx, p, pl->protocol ? pl->protocol : "x86_64-abi");
		snprintf(p, sizeof(p), "%s/feature-persistent", C.fe);
		xs_write_tx(tx, p, pl->persistent ? "1" : "0");
		for (int i = 0; i < pl->nov; i++) {
			snprintf(p, sizeof(p), "%s/%s", C.fe, pl->ov[i].key);
			if (pl->ov[i].val)
				xs_write_tx(tx, p, pl->ov[i].val);
			else
				xs_rpc(XS_RM, tx, p, strlen(p) + 1, NULL, 0, NULL, 0);
		}
	} while (xs_tx_end(tx, true));
}

/* Remove whatever an earlier connection left in the frontend dir. */
static void fe_clean(void)
{
	static const char *keys[] = { "ring-ref", "event-channel", "ring-page-order",
		"multi-queue-num-queues", "protocol", "feature-persistent", "queue-0",
		"queue-1", "queue-2", "queue-3" };
	char p[160];

	for (unsigned int i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", C.fe, keys[i]);
		xs_rm(p);
	}
	for (int i = 0; i < 64; i++) {
		snprintf(p, sizeof(p), "%s/ring-ref%d", C.fe, i);
		xs_rm(p);
	}
}

static int g_persistent = 1;

static struct plan plan_default(void)
{
	struct plan pl = { .order = -1, .nq = 0, .persistent = g_persistent };

	return pl;
}

/*
 * Walk to Initialised with the plan; returns the backend state it settled
 * in (4 Connected, 5/6 refused, anything else: timeout).
 */
static int fe_connect(const struct plan *pl, int ms)
{
	int s;

	s = be_ready();
	if (s != 2)
		die("backend in state %d, not InitWait (2)", s);
	be_facts();
	fe_clean();
	rings_alloc(pl->nq, pl->order);
	fe_publish(pl);
	fe_state(3);		/* Initialised */
	s = be_wait(st_connected_or_failed, ms);
	if (s == 4) {
		be_facts();
		fe_state(4);	/* Connected */
	}
	return s;
}

/* The polite goodbye: Closing, then Closed once the backend follows. */
static int fe_disconnect(void)
{
	int s;

	fe_state(5);
	be_wait(st_closing, 10000);
	fe_state(6);
	s = be_wait(st_closed, 10000);
	rings_free();
	return s;
}

static void must_connect(void)
{
	struct plan pl = plan_default();
	int s = fe_connect(&pl, 20000);

	if (s != 4)
		die("backend did not connect (state %d)", s);
	info("connected: sectors %llu sector-size %ld info %ld discard %ld flush %ld "
	     "persistent %ld max-indirect %ld max-order %ld max-queues %ld slots %u",
	     C.sectors, C.sector_size, C.info, C.discard, C.flush, C.persistent,
	     C.max_indirect, C.max_order, C.max_queues, C.ring[0].nslots);
}

/* ---------------------------------------------------------------- data */

static struct gmem D;		/* 16 data pages granted rw to dom0 */

static void data_alloc(void)
{
	gmem_alloc(&D, 16, 0, true);
}

static const char *stname(int s)
{
	switch (s) {
	case 0: return "0 (OKAY)";
	case -1: return "-1 (ERROR)";
	case -2: return "-2 (EOPNOTSUPP)";
	}
	return "other";
}

/*
 * Send one request on ring 0 and check its answer: right id, right op,
 * status @want.  Returns the status (or 99 if no answer).
 */
static int one(const char *what, const uint8_t *req, int want)
{
	struct ring *r = &C.ring[0];
	struct rsp rs;
	uint64_t id;
	int got;

	memcpy(&id, req + 8, 8);
	ring_put(r, req);
	ring_push(r);
	got = ring_collect(r, &rs, 1, 10000);
	if (got != 1) {
		check(false, what, "no response in 10 s (backend state %d), expected %s",
		      be_state(), stname(want));
		return 99;
	}
	/*
	 * The operation echoed: Linux blkfront (6.1) wants an INDIRECT request
	 * answered with its indirect_op and disables the disk otherwise; a
	 * refused INDIRECT may carry either.
	 */
	bool op_ok = req[0] != OP_INDIRECT ? rs.op == req[0] :
		     rs.op == req[1] || (rs.status != RSP_OKAY && rs.op == OP_INDIRECT);
	check(rs.id == id && op_ok && rs.status == want, what,
	      "got id %s op %u%s status %d (expected %s)",
	      rs.id == id ? "same" : "WRONG", rs.op, op_ok ? "" : " (WRONG op)",
	      rs.status, stname(want));
	return rs.status;
}

static const char PATTERN[] = "XBNG-HOSTILE-PATTERN";

/* ---------------------------------------------------------------- cases */

static void c_read_ok(void)
{
	uint8_t s[SLOT];

	must_connect();
	data_alloc();
	req_rw(s, OP_READ, 1, mkid(1), 0);
	req_seg(s, 0, D.gref[0], 0, 7);
	one("read 1 page at 0", s, RSP_OKAY);
	check(!memcmp(D.va, PATTERN, sizeof(PATTERN) - 1), "data",
	      "page starts with \"%.20s\" (expected the dom0 pattern)", D.va);
	/* write a page at 1 MiB and read it back into another page */
	memset(D.va + PAGE, 0x3c, PAGE);
	memcpy(D.va + PAGE, "XBNG-WRITTEN", 12);
	req_rw(s, OP_WRITE, 1, mkid(2), 2048);
	req_seg(s, 0, D.gref[1], 0, 7);
	if (C.info & 4) {	/* VDISK_READONLY */
		one("write on read-only disk", s, RSP_ERROR);
		return;
	}
	one("write 1 page at 1 MiB", s, RSP_OKAY);
	req_rw(s, OP_READ, 1, mkid(3), 2048);
	req_seg(s, 0, D.gref[2], 0, 7);
	one("read it back", s, RSP_OKAY);
	check(!memcmp(D.va + PAGE, D.va + 2 * PAGE, PAGE), "data",
	      "read-back equals what was written");
}

static void c_op_unknown(void)
{
	uint8_t s[SLOT];

	must_connect();
	data_alloc();
	req_rw(s, 4, 1, mkid(1), 0);
	req_seg(s, 0, D.gref[0], 0, 7);
	one("op 4", s, RSP_EOPNOTSUPP);
	req_rw(s, 255, 1, mkid(2), 0);
	req_seg(s, 0, D.gref[0], 0, 7);
	one("op 255", s, RSP_EOPNOTSUPP);
}

static void c_zero_segs(void)
{
	uint8_t s[SLOT];

	must_connect();
	req_rw(s, OP_READ, 0, mkid(1), 0);
	one("READ 0 segments", s, RSP_ERROR);
	req_rw(s, OP_WRITE, 0, mkid(2), 0);
	one("WRITE 0 segments", s, RSP_ERROR);
}

static void c_direct_12(void)
{
	uint8_t s[SLOT];

	must_connect();
	data_alloc();
	req_rw(s, OP_READ, 12, mkid(1), 0);
	for (int i = 0; i < 11; i++)
		req_seg(s, i, D.gref[i], 0, 7);
	one("READ 12 direct segments", s, RSP_ERROR);
	req_rw(s, OP_READ, 255, mkid(2), 0);
	for (int i = 0; i < 11; i++)
		req_seg(s, i, D.gref[i], 0, 7);
	one("READ 255 direct segments", s, RSP_ERROR);
}

/* An indirect page of @n full-page segments over the data pages. */
static struct gmem IND;

static void ind_fill(unsigned int n, uint32_t (*gref)(unsigned int))
{
	if (!IND.n)
		gmem_alloc(&IND, 8, 0, true);
	for (unsigned int i = 0; i < n && i < 8 * 512; i++)
		ind_seg(IND.va + (i / 512) * PAGE, i % 512, gref(i), 0, 7);
}

static uint32_t gref_data(unsigned int i) { return D.gref[i % 16]; }

static void need_indirect(void)
{
	if (C.max_indirect <= 0)
		die("backend advertises no feature-max-indirect-segments");
}

static void c_indirect_ok(void)
{
	uint8_t s[SLOT];

	must_connect();
	need_indirect();
	data_alloc();
	ind_fill(16, gref_data);
	req_ind(s, OP_READ, 16, mkid(1), 0, IND.gref, 1);
	one("INDIRECT READ 16 segments", s, RSP_OKAY);
	check(!memcmp(D.va, PATTERN, sizeof(PATTERN) - 1), "data",
	      "page starts with the dom0 pattern");
}

static void c_indirect_over_max(void)
{
	uint8_t s[SLOT];
	unsigned int n;

	must_connect();
	need_indirect();
	data_alloc();
	n = C.max_indirect + 1;
	ind_fill(n, gref_data);
	req_ind(s, OP_READ, n, mkid(1), 0, IND.gref, (n + 511) / 512);
	one("INDIRECT READ max+1 segments", s, RSP_ERROR);
}

static void c_indirect_pages(void)
{
	uint8_t s[SLOT];

	must_connect();
	need_indirect();
	data_alloc();
	ind_fill(8 * 512, gref_data);
	req_ind(s, OP_READ, 8 * 512 + 1, mkid(1), 0, IND.gref, 8);
	one("INDIRECT 4097 segments (9 indirect pages)", s, RSP_ERROR);
	req_ind(s, OP_READ, 65535, mkid(2), 0, IND.gref, 8);
	one("INDIRECT 65535 segments", s, RSP_ERROR);
}

static void c_indirect_bad_op(void)
{
	uint8_t s[SLOT];

	must_connect();
	need_indirect();
	data_alloc();
	ind_fill(1, gref_data);
	req_ind(s, OP_DISCARD, 1, mkid(1), 0, IND.gref, 1);
	one("INDIRECT with indirect_op DISCARD", s, RSP_ERROR);
	req_ind(s, OP_FLUSH, 1, mkid(2), 0, IND.gref, 1);
	one("INDIRECT with indirect_op FLUSH", s, RSP_ERROR);
	req_ind(s, OP_INDIRECT, 1, mkid(3), 0, IND.gref, 1);
	one("INDIRECT with indirect_op INDIRECT", s, RSP_ERROR);
	req_ind(s, 255, 1, mkid(4), 0, IND.gref, 1);
	one("INDIRECT with indirect_op 255", s, RSP_ERROR);
}

static void c_indirect_bad_gref(void)
{
	uint8_t s[SLOT];
	uint32_t bad[2];

	must_connect();
	need_indirect();
	data_alloc();
	ind_fill(8, gref_data);
	bad[0] = 0xfffffff0u;
	req_ind(s, OP_READ, 8, mkid(1), 0, bad, 1);
	one("INDIRECT with invalid indirect gref", s, RSP_ERROR);
	/* second indirect page bad, first fine (needs more than 512 segs) */
	if (C.max_indirect > 512) {
		ind_fill(600, gref_data);
		bad[0] = IND.gref[0];
		bad[1] = 0xfffffff0u;
		req_ind(s, OP_READ, 600, mkid(2), 0, bad, 2);
		one("INDIRECT with 2nd indirect gref invalid", s, RSP_ERROR);
	}
	/* indirect page content: a segment with first > last */
	ind_fill(8, gref_data);
	ind_seg(IND.va, 3, D.gref[3], 7, 1);
	req_ind(s, OP_READ, 8, mkid(3), 0, IND.gref, 1);
	one("INDIRECT segment 3 first_sect 7 > last_sect 1", s, RSP_ERROR);
	ind_seg(IND.va, 3, 0xfffffff0u, 0, 7);
	req_ind(s, OP_READ, 8, mkid(4), 0, IND.gref, 1);
	one("INDIRECT segment 3 with invalid data gref", s, RSP_ERROR);
}

static void c_sect(void)
{
	uint8_t s[SLOT];

	must_connect();
	data_alloc();
	req_rw(s, OP_READ, 1, mkid(1), 0);
	req_seg(s, 0, D.gref[0], 5, 2);
	one("first_sect 5 > last_sect 2", s, RSP_ERROR);
	req_rw(s, OP_READ, 1, mkid(2), 0);
	req_seg(s, 0, D.gref[0], 0, 8);
	one("last_sect 8", s, RSP_ERROR);
	req_rw(s, OP_READ, 2, mkid(3), 0);
	req_seg(s, 0, D.gref[0], 0, 7);
	req_seg(s, 1, D.gref[1], 0, 255);
	one("2nd segment last_sect 255", s, RSP_ERROR);
}

static void c_past_end(void)
{
	uint8_t s[SLOT];

	must_connect();
	data_alloc();
	if (!C.sectors)
		die("backend wrote no sectors");
	req_rw(s, OP_READ, 1, mkid(1), C.sectors - 4);
	req_seg(s, 0, D.gref[0], 0, 7);
	one("READ 8 sectors at sectors-4", s, RSP_ERROR);
	req_rw(s, OP_READ, 1, mkid(2), C.sectors);
	req_seg(s, 0, D.gref[0], 0, 0);
	one("READ 1 sector at sectors", s, RSP_ERROR);
	req_rw(s, OP_READ, 1, mkid(3), C.sectors - 8);
	req_seg(s, 0, D.gref[0], 0, 7);
	one("READ the last 8 sectors (control)", s, RSP_OKAY);
}

static void c_overflow(void)
{
	uint8_t s[SLOT];

	must_connect();
	data_alloc();
	req_rw(s, OP_READ, 1, mkid(1), UINT64_MAX - 3);
	req_seg(s, 0, D.gref[0], 0, 7);
	one("READ 8 sectors at 2^64-4", s, RSP_ERROR);
	req_rw(s, OP_READ, 11, mkid(2), UINT64_MAX - 80);
	for (int i = 0; i < 11; i++)
		req_seg(s, i, D.gref[i], 0, 7);
	one("READ 88 sectors at 2^64-81", s, RSP_ERROR);
	req_rw(s, OP_WRITE, 1, mkid(3), UINT64_MAX);
	req_seg(s, 0, D.gref[0], 0, 0);
	one("WRITE 1 sector at 2^64-1", s, RSP_ERROR);
}

static void c_gref_invalid(void)
{
	uint8_t s[SLOT];
	struct gmem gone = { 0 };
	uint32_t ref;

	must_connect();
	data_alloc();
	req_rw(s, OP_READ, 1, mkid(1), 0);
	req_seg(s, 0, 0xfffffff0u, 0, 7);
	one("READ into gref 0xfffffff0", s, RSP_ERROR);
	/* a grant that existed and was revoked before the request */
	gmem_alloc(&gone, 1, 0, true);
	ref = gone.gref[0];
	gmem_free(&gone);
	req_rw(s, OP_READ, 1, mkid(2), 0);
	req_seg(s, 0, ref, 0, 7);
	one("READ into a revoked gref", s, RSP_ERROR);
	/* one good segment, one bad: the whole request fails */
	req_rw(s, OP_WRITE, 2, mkid(3), 0);
	req_seg(s, 0, D.gref[0], 0, 7);
	req_seg(s, 1, 0xfffffff0u, 0, 7);
	one("WRITE with 2nd segment gref invalid", s, RSP_ERROR);
	req_rw(s, OP_READ, 1, mkid(4), 0);
	req_seg(s, 0, D.gref[0], 0, 7);
	one("READ afterwards (control)", s, RSP_OKAY);
}

static void c_gref_foreign(void)
{
	uint8_t s[SLOT];
	struct gmem other = { 0 }, ro = { 0 };

	must_connect();
	data_alloc();
	gmem_alloc(&other, 1, 0x7000, true);	/* granted to another domid */
	req_rw(s, OP_READ, 1, mkid(1), 0);
	req_seg(s, 0, other.gref[0], 0, 7);
	one("READ into a page granted to domain 0x7000", s, RSP_ERROR);
	gmem_alloc(&ro, 1, 0, false);		/* read-only to dom0 */
	memset(ro.va, 0x77, PAGE);
	req_rw(s, OP_READ, 1, mkid(2), 0);
	req_seg(s, 0, ro.gref[0], 0, 7);
	one("READ into a page granted read-only", s, RSP_ERROR);
	check(ro.va[0] == 0x77 && ro.va[PAGE - 1] == 0x77, "read-only page",
	      "unchanged (expected unchanged)");
}

static void c_dup_id(void)
{
	struct ring *r;
	uint8_t s[SLOT];
	struct rsp rs[2];
	int got;

	must_connect();
	data_alloc();
	r = &C.ring[0];
	req_rw(s, OP_READ, 1, mkid(7), 0);
	req_seg(s, 0, D.gref[0], 0, 7);
	ring_put(r, s);
	req_seg(s, 0, D.gref[1], 0, 7);
	ring_put(r, s);
	ring_push(r);
	got = ring_collect(r, rs, 2, 10000);
	check(got == 2 && rs[0].id == mkid(7) && rs[1].id == mkid(7) &&
	      rs[0].status == 0 && rs[1].status == 0, "two READs with one id",
	      "got %d responses, statuses %d %d (expected 2 answers, both 0)",
	      got, got > 0 ? rs[0].status : 99, got > 1 ? rs[1].status : 99);
}

static void c_discard_past_end(void)
{
	uint8_t s[SLOT];

	must_connect();
	if (!C.discard)
		die("device does not advertise feature-discard");
	req_discard(s, 0, mkid(1), C.sectors - 8, 16);
	one("DISCARD 16 sectors at sectors-8", s, RSP_ERROR);
	req_discard(s, 0, mkid(2), UINT64_MAX - 7, 16);
	one("DISCARD 16 sectors at 2^64-8", s, RSP_ERROR);
	req_discard(s, 0, mkid(3), 0, UINT64_MAX);
	one("DISCARD 2^64-1 sectors at 0", s, RSP_ERROR);
	req_discard(s, 0, mkid(4), 4096, 8);
	one("DISCARD 8 sectors at 4096 (control)", s, RSP_OKAY);
}

static void c_discard_unsupported(void)
{
	uint8_t s[SLOT];

	must_connect();
	check(!C.discard, "feature-discard", "%ld (expected 0 on this device)",
	      C.discard);
	req_discard(s, 0, mkid(1), 0, 8);
	one("DISCARD on a device without discard", s, RSP_EOPNOTSUPP);
}

static void c_write_ro(void)
{
	uint8_t s[SLOT];

	must_connect();
	data_alloc();
	check(C.info & 4, "info", "%ld (expected VDISK_READONLY set)", C.info);
	memset(D.va, 'W', PAGE);
	req_rw(s, OP_WRITE, 1, mkid(1), 0);
	req_seg(s, 0, D.gref[0], 0, 7);
	one("WRITE on a read-only disk", s, RSP_ERROR);
	req_rw(s, OP_WRITE, 11, mkid(2), 0);
	for (int i = 0; i < 11; i++)
		req_seg(s, i, D.gref[i], 0, 7);
	one("WRITE 11 pages on a read-only disk", s, RSP_ERROR);
	req_rw(s, OP_READ, 1, mkid(3), 0);
	req_seg(s, 0, D.gref[1], 0, 7);
	one("READ on the read-only disk (control)", s, RSP_OKAY);
	check(!memcmp(D.va + PAGE, PATTERN, sizeof(PATTERN) - 1), "data",
	      "sector 0 still holds the dom0 pattern");
}

/* Is the device refused/closed (state 5/6), within @ms? */
static bool closed_within(int ms)
{
	int s = be_wait(st_closing, ms);

	return s == 5 || s == 6 || s < 0;
}

static void c_ring_overflow(void)
{
	struct ring *r;
	bool closed;

	must_connect();
	r = &C.ring[0];
	__sync_synchronize();
	REQ_PROD(r) = r->req_prod_pvt + r->nslots + 1000;
	__sync_synchronize();
	evt_notify(r->port);
	closed = closed_within(10000);
	check(closed, "req_prod 1000 past a full ring",
	      "backend state %d (expected 5 Closing or 6 Closed)", be_state());
}

/*
 * A ring that breaks the protocol while the backend connects: req_prod is
 * moved out of range d ms after Initialised, for several d, and notified
 * every millisecond.  Whether the backend refuses the ring at attach, halts
 * it before it publishes or halts it after, the device must end Closing or
 * Closed and stay there: never Connected with a halted ring.
 */
static void c_ring_halt_early(void)
{
	static const int delay_ms[] = { 0, 1, 2, 4, 8, 16, 32, 64 };
	struct plan pl = plan_default();
	char what[64];

	for (unsigned int i = 0; i < sizeof(delay_ms) / sizeof(delay_ms[0]); i++) {
		struct ring *r;
		bool connected = false;
		double end;
		int s;

		if (be_ready() != 2)
			die("backend in state %d, not InitWait (2)", be_state());
		be_facts();
		fe_clean();
		rings_alloc(pl.nq, pl.order);
		fe_publish(&pl);
		r = &C.ring[0];
		fe_state(3);		/* Initialised */
		msleep(delay_ms[i]);
		REQ_PROD(r) = r->nslots + 1000;
		__sync_synchronize();
		s = be_state();
		for (end = now() + 10; now() < end && !st_closing(s); s = be_state()) {
			evt_notify(r->port);
			msleep(1);
		}
		/* A Connected written after the halt would come within this. */
		for (end = now() + 2; now() < end; msleep(20))
			connected |= be_state() == 4;
		snprintf(what, sizeof(what), "req_prod out of range %d ms after Initialised",
			 delay_ms[i]);
		check(st_closing(s) && !connected && st_closing(be_state()), what,
		      "backend state %d, then %s (expected 5 Closing or 6 Closed, and no Connected after it)",
		      s, connected ? "Connected" : "not Connected");
		fe_disconnect();
	}
}

static void c_ring_backwards(void)
{
	uint8_t s[SLOT];
	struct ring *r;
	bool closed;

	must_connect();
	data_alloc();
	r = &C.ring[0];
	for (int i = 0; i < 3; i++) {
		req_rw(s, OP_READ, 1, mkid(i), 0);
		req_seg(s, 0, D.gref[i], 0, 7);
		one("READ", s, RSP_OKAY);
	}
	__sync_synchronize();
	REQ_PROD(r) = r->req_prod_pvt - 2;
	__sync_synchronize();
	evt_notify(r->port);
	closed = closed_within(10000);	/* before be_state() below is read */
	check(closed, "req_prod moved back by 2",
	      "backend state %d (expected 5 Closing or 6 Closed)", be_state());
}

static volatile int rw_stop;
static uint32_t rw_seed = 12345;

static uint32_t xrand(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

/* Rewrite sector and segment bytes (never bytes 0-15, where responses
 * land) of every slot while the backend reads them. */
static void *rewriter(void *arg)
{
	struct ring *r = arg;
	uint32_t x = rw_seed;

	while (!rw_stop) {
		uint32_t i = xrand(&x) % r->nslots;
		uint8_t *s = slot(r, i);

		switch (xrand(&x) % 4) {
		case 0:
			put64(s + 16, (xrand(&x) & 1) ? UINT64_MAX - 3 : C.sectors);
			break;
		case 1:
			put32(s + 24, (xrand(&x) & 1) ? 0xfffffff0u : D.gref[0]);
			break;
		case 2:
			s[24 + 5] = (xrand(&x) & 1) ? 200 : 7;
			s[24 + 4] = (xrand(&x) & 1) ? 7 : 0;
			break;
		default:
			put64(s + 16, 0);
			put32(s + 24, D.gref[xrand(&x) % 16]);
			s[28] = 0;
			s[29] = 7;
			break;
		}
	}
	return NULL;
}

static void c_ring_rewrite(int total)
{
	uint8_t s[SLOT];
	struct ring *r;
	pthread_t th;
	int sent = 0, ok = 0, err = 0, other = 0, lost = 0, wrongid = 0;

	must_connect();
	data_alloc();
	r = &C.ring[0];
	pthread_create(&th, NULL, rewriter, r);
	while (sent < total) {
		struct rsp rs[8];
		int n = total - sent < 8 ? total - sent : 8, got;

		for (int i = 0; i < n; i++) {
			req_rw(s, i & 1 ? OP_WRITE : OP_READ, 1, mkid(sent + i), 0);
			req_seg(s, 0, D.gref[i], 0, 7);
			ring_put(r, s);
		}
		ring_push(r);
		got = ring_collect(r, rs, n, 10000);
		if (got < 0)
			break;
		lost += n - got;
		for (int i = 0; i < got; i++) {
			bool mine = false;

			for (int j = 0; j < n; j++)
				mine |= rs[i].id == mkid(sent + j);
			wrongid += !mine;
			if (rs[i].status == 0)
				ok++;
			else if (rs[i].status == -1)
				err++;
			else
				other++;
		}
		sent += n;
		if (got < n)
			break;
	}
	rw_stop = 1;
	pthread_join(th, NULL);
	check(lost == 0 && wrongid == 0 && other == 0, "requests rewritten after submit",
	      "%d sent: %d OKAY, %d ERROR, %d other, %d unanswered, %d foreign ids "
	      "(expected every one answered with 0 or -1)", sent, ok, err, other,
	      lost, wrongid);
	if (lost == 0 && be_state() == 4) {
		req_rw(s, OP_READ, 1, mkid(250), 0);
		req_seg(s, 0, D.gref[0], 0, 7);
		one("READ afterwards (control)", s, RSP_OKAY);
	} else {
		bool closed = closed_within(1000);

		check(closed, "device", "state %d (closed is acceptable)", be_state());
	}
}

static void c_ring_garbage(void)
{
	struct ring *r;
	uint32_t x = 0xc0ffee;
	struct rsp rs[64];
	int n, got, bad = 0, stray = 0;
	uint64_t ids[64];

	must_connect();
	data_alloc();
	r = &C.ring[0];
	n = r->nslots > 64 ? 64 : r->nslots;
	for (int i = 0; i < n; i++) {
		uint8_t s[SLOT];

		for (int j = 0; j < SLOT; j += 4)
			put32(s + j, xrand(&x));
		memcpy(&ids[i], s + 8, 8);
		ring_put(r, s);
	}
	ring_push(r);
	got = ring_collect(r, rs, n, 15000);
	for (int i = 0; i < got; i++) {
		bool known = false;

		for (int j = 0; j < n; j++)
			known |= rs[i].id == ids[j];
		stray += !known;
		bad += rs[i].status != 0 && rs[i].status != -1 && rs[i].status != -2;
	}
	if (got == n) {
		check(!bad && !stray, "a ring of garbage",
		      "%d of %d answered, %d bad statuses, %d unknown ids (expected all "
		      "answered with 0/-1/-2, or the device closed)", got, n, bad, stray);
		if (be_state() == 4) {
			uint8_t s[SLOT];

			req_rw(s, OP_READ, 1, mkid(1), 0);
			req_seg(s, 0, D.gref[0], 0, 7);
			one("READ afterwards (control)", s, RSP_OKAY);
		}
	} else {
		bool closed = closed_within(5000);

		check(closed, "a ring of garbage",
		      "%d of %d answered, backend state %d (expected all answered, or "
		      "the device closed)", got, n, be_state());
	}
}

static void c_event_storm(int seconds)
{
	uint8_t s[SLOT];
	struct ring *r;
	double end;
	long n = 0;

	must_connect();
	data_alloc();
	r = &C.ring[0];
	printf("STORM-START\n");
	fflush(stdout);
	end = now() + seconds;
	while (now() < end) {
		for (int i = 0; i < 256; i++)
			evt_notify(r->port);
		n += 256;
	}
	printf("STORM-END\n");
	info("%ld notifications in %d s with an empty ring", n, seconds);
	check(be_state() == 4, "after the storm", "backend state %d (expected 4)",
	      be_state());
	req_rw(s, OP_READ, 1, mkid(1), 0);
	req_seg(s, 0, D.gref[0], 0, 7);
	one("READ after the storm", s, RSP_OKAY);
}

/* xenstore cases: a plan the backend must refuse. */
static void xs_refuse(const char *what, struct plan *pl)
{
	int s = fe_connect(pl, 15000);

	check(s == 5 || s == 6, what,
	      "backend state %d (expected 5 Closing or 6 Closed: refused)", s);
}

/*
 * xenstore cases the stock backend accepts: the device connects, and a READ
 * of sector 0 on its ring brings dom0's pattern.
 */
static void xs_accept(const char *what, struct plan *pl)
{
	uint8_t s[SLOT];
	int st = fe_connect(pl, 20000);

	check(st == 4, what, "backend state %d (expected 4 Connected)", st);
	if (st != 4)
		return;
	if (!D.n)
		data_alloc();
	memset(D.va, 0, PAGE);
	req_rw(s, OP_READ, 1, mkid(8), 0);
	req_seg(s, 0, D.gref[0], 0, 7);
	one("READ 1 page at 0 on that ring", s, RSP_OKAY);
	check(!memcmp(D.va, PATTERN, sizeof(PATTERN) - 1), "data",
	      "page starts with \"%.20s\" (expected the dom0 pattern)", D.va);
}

static struct plan with(const char *key, const char *val)
{
	struct plan pl = plan_default();

	pl.ov[pl.nov++] = (struct kv){ key, val };
	return pl;
}

static void c_xs(const char *name)
{
	struct plan pl;
	char v[32];

	if (!strcmp(name, "xs-order-too-big")) {
		be_ready();
		be_facts();
		pl = plan_default();
		pl.order = C.max_order + 1;
		if (pl.order > 6)
			die("max-ring-page-order %ld too big for this test", C.max_order);
		xs_refuse("ring-page-order max+1 with all its ring-refs", &pl);
	} else if (!strcmp(name, "xs-order-0")) {
		/*
		 * ring-page-order 0 with ring-ref0 (Linux blkfront with
		 * max_ring_page_order=0 writes no order; other frontends
		 * write 0), beside a stale ring-ref naming no grant: the
		 * backend must read ring-ref0.
		 */
		pl = with("ring-ref", "4294967280");
		pl.order = 0;
		xs_accept("ring-page-order 0 with ring-ref0 and a stale ring-ref", &pl);
	} else if (!strcmp(name, "xs-order-nonnum")) {
		pl = with("ring-page-order", "bogus");
		xs_accept("ring-page-order \"bogus\" with ring-ref: one page", &pl);
	} else if (!strcmp(name, "xs-queues-nonnum")) {
		pl = with("multi-queue-num-queues", "bogus");
		xs_accept("multi-queue-num-queues \"bogus\": one queue", &pl);
	} else if (!strcmp(name, "xs-order-huge")) {
		pl = with("ring-page-order", "4294967295");
		xs_refuse("ring-page-order 4294967295", &pl);
	} else if (!strcmp(name, "xs-queues-0")) {
		pl = with("multi-queue-num-queues", "0");
		xs_refuse("multi-queue-num-queues 0", &pl);
	} else if (!strcmp(name, "xs-queues-huge")) {
		pl = with("multi-queue-num-queues", "4294967295");
		xs_refuse("multi-queue-num-queues 4294967295", &pl);
	} else if (!strcmp(name, "xs-queues-over-max")) {
		be_ready();
		be_facts();
		snprintf(v, sizeof(v), "%ld", C.max_queues + 1);
		pl = with("multi-queue-num-queues", v);
		xs_refuse("multi-queue-num-queues max+1", &pl);
	} else if (!strcmp(name, "xs-no-ring-ref")) {
		pl = with("ring-ref", NULL);
		xs_refuse("no ring-ref", &pl);
	} else if (!strcmp(name, "xs-ring-ref-nonnum")) {
		pl = with("ring-ref", "bogus");
		xs_refuse("ring-ref \"bogus\"", &pl);
	} else if (!strcmp(name, "xs-ring-ref-invalid")) {
		pl = with("ring-ref", "4294967280");
		xs_refuse("ring-ref 4294967280 (no such grant)", &pl);
	} else if (!strcmp(name, "xs-no-evtchn")) {
		pl = with("event-channel", NULL);
		xs_refuse("no event-channel", &pl);
	} else if (!strcmp(name, "xs-evtchn-nonnum")) {
		pl = with("event-channel", "12abc");
		xs_refuse("event-channel \"12abc\"", &pl);
	} else if (!strcmp(name, "xs-evtchn-unbound")) {
		pl = with("event-channel", "4000");
		xs_refuse("event-channel 4000 (not offered to dom0)", &pl);
	} else if (!strcmp(name, "xs-protocol-unknown")) {
		pl = plan_default();
		pl.protocol = "x86_65-abi";
		xs_refuse("protocol x86_65-abi", &pl);
	} else {
		die("unknown xs case");
	}
}

/* A clean connection and a READ: the device still works. */
static void final_read(const char *what)
{
	uint8_t s[SLOT];
	struct plan pl = plan_default();
	int st;

	fe_state(1);		/* Initialising */
	st = be_wait(st_initwait, 15000);
	if (st != 2) {
		check(false, what, "backend state %d after Initialising (expected 2)", st);
		return;
	}
	st = fe_connect(&pl, 20000);
	if (st != 4) {
		check(false, what, "backend state %d (expected 4 Connected)", st);
		return;
	}
	if (!D.n)
		data_alloc();
	req_rw(s, OP_READ, 1, mkid(9), 0);
	req_seg(s, 0, D.gref[0], 0, 7);
	one(what, s, RSP_OKAY);
}

static void c_flap(int cycles)
{
	struct plan pl = plan_default();
	uint32_t x = 777;
	int waited = 0;

	if (be_ready() != 2)
		die("backend not in InitWait");
	be_facts();
	fe_clean();
	rings_alloc(1, -1);
	fe_publish(&pl);
	for (int i = 0; i < cycles; i++) {
		struct ring *r = &C.ring[0];
		bool wait = i % 10 == 9;

		memset(r->mem.va, 0, SRING_HDR);
		REQ_EVENT(r) = 1;
		RSP_EVENT(r) = 1;
		r->req_prod_pvt = r->rsp_cons = 0;
		fe_state(1);
		if (wait)
			be_wait(st_initwait, 2000);
		fe_state(3);
		if (xrand(&x) & 1)
			fe_state(4);
		if (wait) {
			be_wait(st_connected_or_failed, 3000);
			waited++;
		}
		if (xrand(&x) % 3)
			fe_state(5);
		if (wait)
			be_wait(st_closing, 2000);
		fe_state(6);
		if (wait)
			be_wait(st_closed, 2000);
		if (i % 100 == 99) {
			printf("FLAP %d\n", i + 1);
			fflush(stdout);
		}
	}
	info("%d flaps (%d waited for the backend); backend state %d", cycles,
	     waited, be_wait(st_settled, 3000));
	rings_free();
	final_read("READ on a clean connection after flapping");
}

static void c_connect_twice(void)
{
	uint8_t s[SLOT];
	struct ring old;
	struct plan pl = plan_default();
	struct rsp rs;
	int got, st;

	must_connect();
	data_alloc();
	old = C.ring[0];
	/* publish a second ring without closing the first one */
	C.nq = 0;
	rings_alloc(1, -1);
	fe_publish(&pl);
	fe_state(3);
	fe_state(4);
	msleep(3000);
	st = be_state();
	info("backend state %d after the second connect", st);
	/* Which ring does the backend serve now? */
	req_rw(s, OP_READ, 1, mkid(1), 0);
	req_seg(s, 0, D.gref[0], 0, 7);
	ring_put(&old, s);
	ring_push(&old);
	got = ring_collect(&old, &rs, 1, 3000);
	if (got == 1) {
		check(rs.status == 0 && rs.id == mkid(1), "connect twice",
		      "first ring still served, status %d (expected 0)", rs.status);
	} else {
		req_rw(s, OP_READ, 1, mkid(2), 0);
		req_seg(s, 0, D.gref[0], 0, 7);
		ring_put(&C.ring[0], s);
		ring_push(&C.ring[0]);
		got = ring_collect(&C.ring[0], &rs, 1, 5000);
		if (got == 1)
			check(rs.status == 0 && rs.id == mkid(2), "connect twice",
			      "second ring served, status %d (expected 0)", rs.status);
		else
			check(st == 5 || st == 6, "connect twice",
			      "neither ring answers, backend state %d (expected one ring "
			      "served, or the device closed)", st);
	}
	/* clean up both rings */
	C.ring[1] = old;
	C.nq = 2;
}

static void c_vanish(bool connected)
{
	struct plan pl = plan_default();
	uint8_t s[SLOT];

	if (connected) {
		must_connect();
		data_alloc();
		req_rw(s, OP_READ, 1, mkid(1), 0);
		req_seg(s, 0, D.gref[0], 0, 7);
		ring_put(&C.ring[0], s);
		ring_push(&C.ring[0]);
		check(true, "vanish connected", "left with a request in flight");
	} else {
		be_ready();
		fe_clean();
		rings_alloc(1, -1);
		fe_publish(&pl);
		fe_state(3);
		check(true, "vanish mid-connect", "left right after Initialised");
	}
	/* gone: no Closing, grants and event channel dropped by exit() */
	fflush(stdout);
	_exit(g_fail ? 1 : 0);
}

/*
 * One WRITE, a FLUSH_DISKCACHE carrying a page, a FLUSH_DISKCACHE without
 * data and one READ, all answered 0; then exit Connected (as vanish-
 * connected does) so that dom0 reads the ring's statistics before the
 * detach.  dom0 expects wr_req +1, f_req +2, wr_sect +16, rd_req +1: how
 * the stock backend counts a flush that carries data.
 */
static void c_stats_flush(void)
{
	uint8_t s[SLOT];

	must_connect();
	if (!C.flush)
		die("the backend offers no feature-flush-cache");
	data_alloc();
	memset(D.va, 0x5e, 2 * PAGE);
	req_rw(s, OP_WRITE, 1, mkid(1), 4096);
	req_seg(s, 0, D.gref[0], 0, 7);
	one("WRITE 1 page at 2 MiB", s, RSP_OKAY);
	req_rw(s, OP_FLUSH, 1, mkid(2), 4104);
	req_seg(s, 0, D.gref[1], 0, 7);
	one("FLUSH_DISKCACHE with 1 page at 2 MiB + 4 KiB", s, RSP_OKAY);
	req_rw(s, OP_FLUSH, 0, mkid(3), 0);
	one("FLUSH_DISKCACHE without data", s, RSP_OKAY);
	req_rw(s, OP_READ, 1, mkid(4), 4096);
	req_seg(s, 0, D.gref[2], 0, 7);
	one("READ 1 page at 2 MiB", s, RSP_OKAY);
	check(!memcmp(D.va + 2 * PAGE, D.va, PAGE), "data", "%s",
	      "the page read back is not the page written");
	printf("STATS-READY\n");
	fflush(stdout);
	_exit(g_fail ? 1 : 0);
}

static const char *cases[] = {
	"read-ok", "op-unknown", "zero-segs", "direct-12-segs", "indirect-ok",
	"indirect-over-max", "indirect-too-many-pages", "indirect-bad-op",
	"indirect-bad-gref", "sect-bad", "past-end", "sector-overflow",
	"gref-invalid", "gref-foreign", "dup-id", "discard-past-end",
	"discard-unsupported", "write-ro", "ring-overflow", "ring-backwards",
	"ring-rewrite", "ring-garbage", "event-storm", "xs-order-too-big",
	"xs-order-huge", "xs-queues-0", "xs-queues-huge", "xs-queues-over-max",
	"xs-no-ring-ref", "xs-ring-ref-nonnum", "xs-ring-ref-invalid",
	"xs-no-evtchn", "xs-evtchn-nonnum", "xs-evtchn-unbound",
	"xs-protocol-unknown", "flap", "connect-twice", "vanish-mid-connect",
	"vanish-connected", "xs-order-0", "xs-order-nonnum",
	"xs-queues-nonnum", "stats-flush", "ring-halt-early", NULL
};

int main(int argc, char **argv)
{
	int opt, n = 0, secs = 10;
	unsigned int devid = 51728;	/* xvdb */
	char p[160];
	const char *c;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "d:n:t:p:l")) != -1) {
		switch (opt) {
		case 'd': devid = strtoul(optarg, NULL, 0); break;
		case 'n': n = atoi(optarg); break;
		case 't': secs = atoi(optarg); break;
		case 'p': g_persistent = atoi(optarg); break;
		case 'l':
			for (int i = 0; cases[i]; i++)
				puts(cases[i]);
			return 0;
		default:
			fprintf(stderr, "usage: %s [-d devid] [-n count] [-t s] [-p 0|1] CASE\n",
				argv[0]);
			return 2;
		}
	}
	if (optind >= argc)
		die("no case given");
	c = g_case = argv[optind];

	xs_fd = open("/dev/xen/xenbus", O_RDWR);
	gnt_fd = open("/dev/xen/gntalloc", O_RDWR);
	evt_fd = open("/dev/xen/evtchn", O_RDWR);
	if (xs_fd < 0 || gnt_fd < 0 || evt_fd < 0)
		die("open /dev/xen/{xenbus,gntalloc,evtchn}: %s", strerror(errno));
	C.devid = devid;
	snprintf(C.fe, sizeof(C.fe), "device/vbd/%u", devid);
	snprintf(p, sizeof(p), "%s/backend", C.fe);
	if (xs_read(p, C.be, sizeof(C.be)))
		die("no %s", p);
	info("frontend %s backend %s state %d", C.fe, C.be, be_state());

	if (!strcmp(c, "read-ok")) c_read_ok();
	else if (!strcmp(c, "op-unknown")) c_op_unknown();
	else if (!strcmp(c, "zero-segs")) c_zero_segs();
	else if (!strcmp(c, "direct-12-segs")) c_direct_12();
	else if (!strcmp(c, "indirect-ok")) c_indirect_ok();
	else if (!strcmp(c, "indirect-over-max")) c_indirect_over_max();
	else if (!strcmp(c, "indirect-too-many-pages")) c_indirect_pages();
	else if (!strcmp(c, "indirect-bad-op")) c_indirect_bad_op();
	else if (!strcmp(c, "indirect-bad-gref")) c_indirect_bad_gref();
	else if (!strcmp(c, "sect-bad")) c_sect();
	else if (!strcmp(c, "past-end")) c_past_end();
	else if (!strcmp(c, "sector-overflow")) c_overflow();
	else if (!strcmp(c, "gref-invalid")) c_gref_invalid();
	else if (!strcmp(c, "gref-foreign")) c_gref_foreign();
	else if (!strcmp(c, "dup-id")) c_dup_id();
	else if (!strcmp(c, "discard-past-end")) c_discard_past_end();
	else if (!strcmp(c, "discard-unsupported")) c_discard_unsupported();
	else if (!strcmp(c, "write-ro")) c_write_ro();
	else if (!strcmp(c, "ring-overflow")) c_ring_overflow();
	else if (!strcmp(c, "ring-backwards")) c_ring_backwards();
	else if (!strcmp(c, "ring-halt-early")) c_ring_halt_early();
	else if (!strcmp(c, "ring-rewrite")) c_ring_rewrite(n ? n : 400);
	else if (!strcmp(c, "ring-garbage")) c_ring_garbage();
	else if (!strcmp(c, "event-storm")) c_event_storm(secs);
	else if (!strncmp(c, "xs-", 3)) c_xs(c);
	else if (!strcmp(c, "flap")) c_flap(n ? n : 50);
	else if (!strcmp(c, "connect-twice")) c_connect_twice();
	else if (!strcmp(c, "vanish-mid-connect")) c_vanish(false);
	else if (!strcmp(c, "vanish-connected")) c_vanish(true);
	else if (!strcmp(c, "stats-flush")) c_stats_flush();
	else
		die("unknown case (try -l)");

	check(g_pad_bad == 0, "response padding",
	      "%d response(s) with non-zero padding (expected 0, XSA-216)", g_pad_bad);
	{
		int s = fe_disconnect();

		info("closed; backend state %d", s);
	}
	gmem_free(&D);
	gmem_free(&IND);
	printf("CASE %s: %s\n", c, g_fail ? "FAILED" : "PASSED");
	return g_fail ? 1 : 0;
}
