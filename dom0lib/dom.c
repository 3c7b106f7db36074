// SPDX-License-Identifier: GPL-2.0 OR MIT
/* dom.c - domain liveness through libxenctrl.
 *
 * xc_domain_getinfo(first_domid, 1) returns the first domain whose id is >=
 * first_domid, so a gone domain shows up as "rc == 1 but another domid"
 * (../shared/xen-lab-notes.md).  Without libxenctrl access (no privcmd, unit
 * tests) liveness is unknown (-1) and the caller falls back to xenstore:
 * a domain is alive while /local/domain/D exists.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <xenctrl.h>

#include "ccdom0.h"

#ifndef SHUTDOWN_suspend
#define SHUTDOWN_suspend 2
#endif
#ifndef SHUTDOWN_soft_reset
#define SHUTDOWN_soft_reset 5
#endif

struct ccd_dom_ctx {
	xc_interface *xch;
};

struct ccd_dom_ctx *ccd_dom_open(void)
{
	struct ccd_dom_ctx *dc = calloc(1, sizeof(*dc));

	if (!dc)
		return NULL;
	dc->xch = xc_interface_open(NULL, NULL, 0);
	if (!dc->xch)
		ccd_log(CCD_LOG_WARN,
			"libxenctrl unavailable (%s): domain liveness from xenstore only",
			strerror(errno));
	return dc;
}

void ccd_dom_close(struct ccd_dom_ctx *dc)
{
	if (!dc)
		return;
	if (dc->xch)
		xc_interface_close(dc->xch);
	free(dc);
}

int ccd_dom_alive(struct ccd_dom_ctx *dc, unsigned domid)
{
	return ccd_dom_info(dc, domid, NULL);
}

int ccd_dom_info(struct ccd_dom_ctx *dc, unsigned domid, unsigned char handle[16])
{
	xc_dominfo_t info;
	int rc;

	if (handle)
		memset(handle, 0, 16);
	if (!dc || !dc->xch)
		return -1;
	memset(&info, 0, sizeof(info));
	rc = xc_domain_getinfo(dc->xch, domid, 1, &info);
	if (rc < 0)
		return -1;
	if (rc != 1 || info.domid != domid)
		return 0;
	if (handle)
		memcpy(handle, info.handle, 16);
	if (info.dying)
		return 0;
	/* Shut down for good (poweroff, reboot, crash, watchdog): its peers
	 * must let go of its pages now.  Suspend and soft reset come back. */
	if (info.shutdown && info.shutdown_reason != SHUTDOWN_suspend &&
	    info.shutdown_reason != SHUTDOWN_soft_reset)
		return 0;
	return 1;
}
