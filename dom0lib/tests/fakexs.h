/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* fakexs.h - an in-memory xenstore (the libxenstore calls colorcomd and
 * colorcomctl make) and a fake libxenctrl domain table, for tests that run
 * the real I/O code with no hypervisor.  Semantics follow C xenstored as
 * seen by dom0: new nodes inherit their parent's permissions, rm is
 * recursive, a transaction fails with EAGAIN if the store changed since it
 * started. */
#ifndef FAKEXS_H
#define FAKEXS_H
#include <stddef.h>
#include <stdint.h>

void fx_reset(void);
/* Write as dom0 (parents created, inheriting perms).  val NULL = mkdir. */
void fx_set(const char *path, const char *val);
void fx_set_perms(const char *path, const char *perms);  /* "n1,r2" */
const char *fx_get(const char *path);      /* NULL if missing */
const char *fx_perms(const char *path);    /* "n1,r2" or NULL */
int fx_exists(const char *path);
void fx_rm(const char *path);
int fx_count_children(const char *path);   /* -1 if missing */
void fx_dump(void);                        /* stderr, for debugging */
/* Number of mutating calls made through the libxenstore API so far. */
extern unsigned long fx_nops;
/* Commit attempts that fail with EAGAIN before one succeeds. */
extern int fx_force_eagain;
extern unsigned long fx_commits, fx_aborts;
/* Transactions started but not ended. */
int fx_open_transactions(void);
/* xs_open fails when set (no xenstored). */
extern int fx_fail_open;
extern unsigned long fx_opens;

/* Watches: with fx_watch_events set, xs_watch registers and fires once,
 * and every change (through the API, at commit for a transaction, or the
 * fx_ helpers) queues an event for xs_check_watch, as xenstored would: on a
 * watch at the path or an ancestor, and for a removal on watches below it.
 * Off (the default), watches are accepted and nothing is queued. */
extern int fx_watch_events;
void fx_fire(const char *path, int removal);   /* also "@releaseDomain" */
size_t fx_watch_count(void);

/* A guest as libxl makes it: /local/domain/D {0:n, D:r}, device/, name. */
void fx_add_domain(unsigned domid, const char *name);
/* Fake libxenctrl. */
extern int fx_xc_enabled;
void fx_xc_set(unsigned domid, int exists, int dying, int shutdown,
	       unsigned reason);
#endif
