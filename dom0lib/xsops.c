// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Apply a write list (spec.c) inside a xenstore transaction.  Shared by
 * colorcomctl and colorcomd (a re-attach must write exactly what an attach
 * writes); each caller reports a failure in its own log, so this only says
 * which operation failed, with errno intact.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <xenstore.h>

#include "ccdom0.h"

int ccctl_xs_apply(struct xs_handle *h, uint32_t t, const struct ccctl_ops *ops,
		   const struct ccctl_op **failed)
{
	unsigned i, j;

	for (i = 0; i < ops->n; i++) {
		const struct ccctl_op *o = &ops->op[i];
		struct xs_permissions xp[2];
		bool ok = true;

		switch (o->kind) {
		case CCCTL_MKDIR:
			ok = xs_mkdir(h, t, o->path);
			for (j = 0; ok && j < o->nperms; j++) {
				xp[j].id = o->perms[j].id;
				xp[j].perms = o->perms[j].mode == 'r' ?
					      XS_PERM_READ : XS_PERM_NONE;
			}
			if (ok && o->nperms)
				ok = xs_set_permissions(h, t, o->path, xp,
							o->nperms);
			break;
		case CCCTL_WRITE:
			ok = xs_write(h, t, o->path, o->value,
				      (unsigned)strlen(o->value));
			break;
		case CCCTL_RM:
			ok = xs_rm(h, t, o->path) || errno == ENOENT;
			break;
		}
		if (!ok) {
			*failed = o;
			return -1;
		}
	}
	return 0;
}
