/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* ccd.h - colorcomd, the colorcom broker daemon (dom0).
 *
 * Data flow of one reconcile pass (level-triggered, see docs/daemon-notes.md):
 *   xs.c      ccd_scan()        xenstore -> struct ccd_snap   (no writes);
 *             ccd_scan_targets() only what a watch event named (watch.c)
 *   dom.c     ccd_dom_alive()   liveness of every domid in the snapshot
 *   registry.c ccd_plan_build() snapshot -> struct ccd_plan   (pure logic)
 *   link.c    ccd_plan_apply()  plan -> xenstore, one transaction per action,
 *                               preconditions re-checked inside it
 */
#ifndef CCD_H
#define CCD_H

#include <stddef.h>
#include <stdint.h>

#include "ccdom0.h"

struct xs_handle;

/* ---- snapshot ------------------------------------------------------------ */

struct ccd_nic {
	unsigned domid, devid;
	/* Raw states: backend as written by toolstack/us, frontend by the guest.
	 * -1 = missing, -2 = garbage (logged, treated like missing). */
	int bstate, fstate;
	int online;             /* 0 or 1 (missing = 1); -1 garbage */
	int has_error;          /* an `error` key is present */
	int valid;              /* every key validated */
	char why[160];          /* reason when !valid */
	char network[CCD_NET_MAXLEN + 1];
	uint8_t mac[6];
	unsigned mtu, order;
	int uplink;             /* `uplink` = 1: dom0's uplink NIC (domid 0 only) */
	long long closing_since_ms;  /* filled by the caller; 0 = unknown */
};

enum ccd_half_kind { CCD_HALF_FRONT, CCD_HALF_BACK };

struct ccd_half {
	enum ccd_half_kind kind;
	unsigned a, b, l;       /* domains A < B and link id */
	int state;              /* -1 missing, -2 garbage */
	int broken;             /* a `broken` key is present */
};

struct ccd_dom {
	unsigned domid;
	int alive;              /* 1 alive, 0 dead (dying, shut down, gone) */
	/* Xen's handle, the VM's UUID (all zeros: unknown).  A domain being
	 * migrated or restored here exists twice for a while, as the sender
	 * and the receiver, with the same UUID. */
	unsigned char uuid[16];
};

struct ccd_snap {
	struct ccd_nic *nics;
	size_t nnic, capnic;
	struct ccd_half *halves;
	size_t nhalf, caphalf;
	struct ccd_dom *doms;   /* every /local/domain/D entry */
	size_t ndom, capdom;
	long long now_ms;
};

void ccd_snap_init(struct ccd_snap *s);
void ccd_snap_free(struct ccd_snap *s);
void ccd_snap_clear(struct ccd_snap *s);
struct ccd_nic *ccd_snap_add_nic(struct ccd_snap *s);
struct ccd_half *ccd_snap_add_half(struct ccd_snap *s);
struct ccd_dom *ccd_snap_add_dom(struct ccd_snap *s, unsigned domid, int alive);
/* 1 if domid is listed and alive, else 0. */
int ccd_snap_alive(const struct ccd_snap *s, unsigned domid);
/* 1 if both domains are listed with the same known UUID (two incarnations of
 * one VM: a migration's or restore's sender and receiver), else 0. */
int ccd_snap_same_vm(const struct ccd_snap *s, unsigned a, unsigned b);
const struct ccd_nic *ccd_snap_find_nic(const struct ccd_snap *s,
					unsigned domid, unsigned devid);

/* Validate the backend keys of a NIC (already parsed by the reader into
 * strings); fills nic->valid/why/network/mac/mtu/order.  Pure. */
struct ccd_nic_keys {
	const char *frontend, *frontend_id, *mac, *network, *mtu, *order,
		   *online, *state, *uplink;
	size_t frontend_len, frontend_id_len, mac_len, network_len, mtu_len,
	       order_len, online_len, state_len, uplink_len;
};
void ccd_nic_validate(struct ccd_nic *nic, const struct ccd_nic_keys *k);

/* ---- plan ---------------------------------------------------------------- */

enum ccd_act_kind {
	CCD_ACT_NIC_STATE,      /* write backend state (from -> to) */
	CCD_ACT_NIC_ERROR,      /* write error + state Closed */
	CCD_ACT_LINK_REMOVE,    /* rm present halves of link (a, l) */
	CCD_ACT_NIC_REMOVE,     /* rm NIC backend dir (and frontend dir) */
	CCD_ACT_LINK_CREATE,    /* write both halves of link (a, l) */
	/* colorcomd.conf network.NAME.uplink (level-triggered like the rest):
	 * on = dom0 has an uplink NIC on NAME, off = it has none. */
	CCD_ACT_UPLINK_ATTACH,  /* give dom0 an uplink NIC on `network` */
	CCD_ACT_UPLINK_DETACH,  /* online=0, state=5 on uplink NIC 0/devid */
};

struct ccd_act {
	enum ccd_act_kind kind;
	unsigned domid, devid;          /* NIC actions */
	int from, to;                   /* NIC_STATE */
	int rm_front;                   /* NIC_REMOVE: also rm frontend dir */
	/* link actions */
	unsigned a, b, l, na, nb;
	int have_front, have_back;      /* LINK_REMOVE: halves present */
	const struct ccd_nic *nic_a, *nic_b;  /* LINK_CREATE (into snapshot) */
	char network[CCD_NET_MAXLEN + 1];     /* UPLINK_* */
	const struct ccd_conf *conf;    /* UPLINK_ATTACH: MAC prefix, ring */
	char reason[200];
	/* Back-off event to note once the action succeeded (backoff.c):
	 * CCD_BO_NIC (domid, devid) or CCD_BO_PAIR (a, l); 0 = none. */
	int bo_kind;
	unsigned long recreated;        /* LINK_CREATE: earlier failures */
	int rc;                         /* set by ccd_plan_apply */
};

struct ccd_plan {
	struct ccd_act *acts;
	size_t nact, capact;
	long long deadline_ms;          /* rescan at this time; 0 = none */
};

void ccd_plan_init(struct ccd_plan *p);
void ccd_plan_free(struct ccd_plan *p);

/* ---- back-off of link re-creation (backoff.c) ---------------------------- */
enum { CCD_BO_NIC = 1,          /* (domid, devid): its frontend left Connected */
       CCD_BO_PAIR = 2,         /* (A, L): the link failed or lost a half */
       CCD_BO_HOLD = 3 };       /* (A, L): a failed link first seen (kept) */
struct ccd_backoff;
/* base_ms: the first wait of a pair (a NIC's first flap is free); doubling
 * up to max_ms; max_ms 0 = no growth (a pair always waits base_ms, a NIC
 * never). */
struct ccd_backoff *ccd_backoff_new(long long base_ms, long long max_ms);
void ccd_backoff_free(struct ccd_backoff *b);
void ccd_backoff_set(struct ccd_backoff *b, long long base_ms, long long max_ms);
long long ccd_backoff_delay(const struct ccd_backoff *b, int kind, unsigned k);
/* An event of key (kind, x, y) now: returns the wait until the next
 * creation is allowed. */
long long ccd_backoff_note(struct ccd_backoff *b, int kind, unsigned x,
			   unsigned y, long long now_ms);
/* Time before which the key must wait, or 0 = go ahead.  b may be NULL. */
long long ccd_backoff_until(const struct ccd_backoff *b, int kind, unsigned x,
			    unsigned y, long long now_ms);
long long ccd_backoff_hold(struct ccd_backoff *b, unsigned x, unsigned y,
			   long long now_ms, long long hold_ms);
void ccd_backoff_forget(struct ccd_backoff *b, int kind, unsigned x,
			unsigned y);
unsigned long ccd_backoff_total(const struct ccd_backoff *b, int kind,
				unsigned x, unsigned y);
unsigned ccd_backoff_streak(const struct ccd_backoff *b, int kind, unsigned x,
			    unsigned y);
void ccd_backoff_expire(struct ccd_backoff *b, long long now_ms,
			int (*keep)(void *arg, int kind, unsigned x, unsigned y),
			void *arg);
size_t ccd_backoff_count(const struct ccd_backoff *b);
void ccd_backoff_each(const struct ccd_backoff *b, int kind,
		      void (*fn)(void *arg, unsigned x, unsigned y,
				 unsigned long total, long long until_ms),
		      void *arg);

/* ---- rate limits per domain (ratelimit.c) --------------------------------- */
struct ccd_rl;
struct ccd_rl *ccd_rl_new(unsigned burst, long long refill_ms);
void ccd_rl_free(struct ccd_rl *r);
/* Take one token of key now: 0 = granted, else when one will be there.
 * Calls with the same round charge at most once (and answer alike). */
long long ccd_rl_take(struct ccd_rl *r, unsigned long key, long long now_ms,
		      unsigned long round);
/* Refusals of key since the last call. */
unsigned long ccd_rl_denied(struct ccd_rl *r, unsigned long key);
long ccd_rl_path_domain(const char *path);

/* glog.c: ccd_log_once() for reports about a guest's tree (key starts with
 * its path), at most a burst of 20 then one per 5 s per guest. */
void ccd_glog(int prio, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void ccd_glog_reset(void);                      /* tests */
extern long long (*ccd_glog_clock)(void);       /* tests */

struct ccd_conf;
struct ccd_opts {
	long long detach_timeout_ms;    /* wait for frontend Closed on detach */
	long long relink_delay_ms;      /* first wait before re-creating a link */
	long long broken_hold_ms;       /* keep a `broken` link this long */
	const struct ccd_conf *conf;    /* per-network policy; NULL = none */
	struct ccd_backoff *backoff;    /* NULL = none (no memory at all) */
};

/* registry.c: decide everything from a snapshot.  Pure; returns 0 or -1
 * (allocation failure). */
int ccd_plan_build(const struct ccd_snap *s, const struct ccd_opts *o,
		   struct ccd_plan *p);

/* ---- closing timers (the one bit of memory; restart only delays) ------- */
struct ccd_timers;
struct ccd_timers *ccd_timers_new(void);
void ccd_timers_free(struct ccd_timers *t);
/* Stamp every closing NIC of s with its first-seen time, forget others. */
void ccd_timers_update(struct ccd_timers *t, struct ccd_snap *s);
int ccd_nic_is_closing(const struct ccd_nic *n);

/* ---- xenstore I/O (xs.c) ------------------------------------------------- */
/* Read a value of at most maxlen bytes into buf (NUL-terminated).
 * Returns length, -1 if missing, -2 if too long or containing NUL. */
int ccd_xs_read(struct xs_handle *h, uint32_t t, const char *path,
		char *buf, size_t bufsz);
/* Run fn inside a transaction, retrying on EAGAIN.  fn returns 0 to commit,
 * >0 to abort without error (precondition failed), <0 on error. */
typedef int (*ccd_tx_fn)(struct xs_handle *h, uint32_t t, void *arg);
int ccd_xs_transact(struct xs_handle *h, ccd_tx_fn fn, void *arg);
/* Fill the snapshot (domains, NICs, link halves).  Liveness: see dom.c. */
struct ccd_dom_ctx;
int ccd_scan(struct xs_handle *h, struct ccd_dom_ctx *dc, struct ccd_snap *s);

/* ---- incremental passes (watch.c, xs.c, pass.c) ------------------------- */
/* What a watch event names: one NIC, the NICs of a domain, one link half.
 * The snapshot of the last pass is kept and only these are re-read, so the
 * cost of an event does not grow with the number of links. */
enum ccd_tgt_kind {
	CCD_T_NIC = 1,          /* NIC (d, x): backend dir and frontend state */
	CCD_T_DOMNICS,          /* every NIC of domain d */
	CCD_T_ALLNICS,          /* every NIC */
	CCD_T_FRONT,            /* front half of link x in domain d (= A) */
	CCD_T_BACK,             /* back half of link y in domain d (= B), A = x */
};

struct ccd_tgt {
	int kind;
	unsigned d, x, y;
};

#define CCD_DIRTY_MAX 4096      /* more targets than this: a full pass */

struct ccd_dirty {
	struct ccd_tgt *t;
	size_t n, cap;
	int full;               /* re-read everything (start, SIGHUP, error) */
	int doms;               /* @introduceDomain / @releaseDomain */
	int rpc;                /* a guest's data/ccrpc changed */
};

void ccd_dirty_init(struct ccd_dirty *dr);
void ccd_dirty_free(struct ccd_dirty *dr);
void ccd_dirty_clear(struct ccd_dirty *dr);
/* Add one target (deduplicated); past CCD_DIRTY_MAX sets full. */
void ccd_dirty_add(struct ccd_dirty *dr, int kind, unsigned d, unsigned x,
		   unsigned y);
/* Classify the path of a watch event into dr.  Pure.  Returns 0, or -1 for
 * a path no watch of ours names (ignored). */
int ccd_dirty_path(struct ccd_dirty *dr, const char *path);
/* Re-read the targets of dr into s (the previous pass's snapshot), and the
 * domain list when dr->doms. */
int ccd_scan_targets(struct xs_handle *h, struct ccd_dom_ctx *dc,
		     struct ccd_snap *s, const struct ccd_dirty *dr);
/* xenstore reads and directory listings made by the scans (ccd_xs_read and
 * listings), for the cost per event in the debug log and the bench. */
extern unsigned long ccd_xs_reads;

/* The daemon's own watches on guest nodes (watch.c): the frontend state of
 * every NIC and every link half of the snapshot. */
struct ccd_watches {
	char **w;
	size_t n;
};
void ccd_watches_sync(struct xs_handle *h, struct ccd_watches *ws,
		      const struct ccd_snap *s);
void ccd_watches_free(struct ccd_watches *ws);

/* ---- actions (link.c) ---------------------------------------------------- */
/* Apply every action; returns the number of failed actions. */
int ccd_plan_apply(struct xs_handle *h, const struct ccd_plan *p);
/* 1: link halves owned by their guests, as before (test control only). */
extern int ccd_link_guest_owned;

/* ---- one pass (pass.c) -------------------------------------------------- */
/* Scan, plan, apply.  snap is scratch space kept by the caller (it is
 * reused between passes).  *deadline_ms: when to pass again (0 = on the next
 * event).  Returns 0, or -1 if the scan or any action failed. */
int ccd_reconcile(struct xs_handle *h, struct ccd_dom_ctx *dc,
		  struct ccd_timers *timers, const struct ccd_opts *o,
		  struct ccd_snap *snap, long long now_ms,
		  long long *deadline_ms);
/* Incremental pass: re-read what dr names (everything when dr->full or
 * when snap holds no scan yet), then plan and apply like ccd_reconcile.  The
 * targets of the actions carried out are re-read before returning, so the
 * snapshot holds what the pass wrote.  dr is left untouched. */
int ccd_reconcile_dirty(struct xs_handle *h, struct ccd_dom_ctx *dc,
			struct ccd_timers *timers, const struct ccd_opts *o,
			struct ccd_snap *snap, const struct ccd_dirty *dr,
			long long now_ms, long long *deadline_ms);
long long ccd_now_ms(void);     /* main.c: CLOCK_MONOTONIC in ms */

/* ---- start-up (daemonize.c) ---------------------------------------------- */
/* Fork; the parent waits until the child calls ccd_daemon_done() and exits
 * with the status given there (or 1 if the child died first), so a daemon
 * that fails to start never exits 0.  Returns 0 in the child, -1 (message
 * printed) if it could not fork. */
int ccd_daemon_start(int *ready_fd);
/* status 0: started (stdio goes to /dev/null); else the parent's exit
 * status.  No-op when not daemonized (*ready_fd < 0). */
void ccd_daemon_done(int *ready_fd, int status);

/* ---- reboot records (persist.c) ------------------------------------------ */
/* After a pass: re-attach the recorded NICs of rebooted domains, forget the
 * records of domains gone for grace_s.  Returns when to pass again (0 =
 * no need). */
struct ccd_persist;
struct ccd_persist *ccd_persist_new(void);
void ccd_persist_free(struct ccd_persist *ps);
long long ccd_persist_pass(struct xs_handle *h, struct ccd_persist *ps,
			   const struct ccd_snap *snap, unsigned grace_s,
			   long long now_ms);

/* ---- NICs from the domain's xl config (xlargv.c, xlcfg.c) ---------------- */
#define CCD_XL_MAX_OVER 64
/* An `xl create` command line: the config file and KEY=VALUE overrides
 * (pointers into argv, which getopt may permute). */
struct ccd_xlargs {
	const char *config;
	const char *over[CCD_XL_MAX_OVER];
	int nover;
	int paused;                     /* -p */
};
/* 0 if argv is `xl [opts] create ...` that makes a domain from a config
 * file, as xl 4.17 reads its options; -1 for anything else (another
 * command, a dry run, help, a usage error).  Pure. */
int ccd_xl_create_args(int argc, char **argv, struct ccd_xlargs *out);
/* "$PWD/file" from a process environment (NUL-separated, n octets) into
 * path: 0 done, -1 no absolute PWD or path too long.  Pure. */
int ccd_xl_env_path(const char *env, size_t n, const char *file, char *path,
		    size_t sz);

/* Attach, once per domain, the NICs its `colorcom = [...]` names; follow
 * `xl config-update` into the reboot records.  The state is in xenstore
 * (CCD_XLCFG_ROOT, ccdom0.h); memory holds only what config-update last
 * stored for each domain. */
struct ccd_xlcfg;
struct ccd_xlcfg *ccd_xlcfg_new(void);
void ccd_xlcfg_free(struct ccd_xlcfg *x);
/* inotify fd on libxl's userdata directory (-1: none) and its reader: 1 when
 * an "xl" userdata file (config-update) was written. */
int ccd_xlcfg_fd(const struct ccd_xlcfg *x);
int ccd_xlcfg_event(struct ccd_xlcfg *x);
/* Returns when to pass again (0 = no need). */
long long ccd_xlcfg_pass(struct xs_handle *h, struct ccd_xlcfg *x,
			 const struct ccd_snap *snap,
			 const struct ccd_conf *conf, const char *conf_path,
			 long long now_ms);

/* ---- link times (status.c) ----------------------------------------------- */
struct ccd_status;
struct ccd_status *ccd_status_new(const char *path);
void ccd_status_free(struct ccd_status *st);
/* Re-creations and back-off waits to publish beside the times (or NULL). */
void ccd_status_set_backoff(struct ccd_status *st,
			    const struct ccd_backoff *bo);
/* Take the state of every link half from snap (the pass read them), stamp
 * changes with now_unix, rewrite the file when a line changed.  h is unused.
 * 0, or -1 (logged once). */
int ccd_status_update(struct xs_handle *h, struct ccd_status *st,
		      const struct ccd_snap *snap, long long now_unix);
long long ccd_now_unix(void);

/* rpc.c: the libccrpc broker pass (docs/rpc.md). */
void ccd_rpc_pass(struct xs_handle *h);

#endif
