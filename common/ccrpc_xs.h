/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * ccrpc_xs.h - the xenstore layout of libccrpc's rendezvous (docs/rpc.md,
 * "Rendezvous"), shared by the three parties that read or write it: the guest
 * library (rpc/), colorcomd's broker (back/rpcbroker.c) and colorcomctl's
 * listing (toolstack/rpc.c).  Names and limits only, no code.
 */
#ifndef CCRPC_XS_H_LAYOUT
#define CCRPC_XS_H_LAYOUT

/* Under /local/domain/D/ (the guest's own, writable area): */
#define CCRPC_XS_ROOT "data/ccrpc"
#define CCRPC_XS_SERVICE "service"	/* service/NAME/{functions,allow,state} by the server */
#define CCRPC_XS_CONNECT "connect"	/* connect/R/{server,service,arena-pages,state} by a client;
					 * conn, server-domid or error by the broker */
#define CCRPC_XS_CONN "conn"		/* conn/C_R/ in the server's area, created by the broker */

/* The most pages a connection's region may have: a 64 MiB heap, the control page
 * and the two pages of call frames (rpc/ccrpc_int.h checks the sum). */
#define CCRPC_XS_MAX_PAGES 16387ul
/* Longest service name and request id the broker accepts. */
#define CCRPC_XS_MAX_NAME 64u
#define CCRPC_XS_MAX_ID 32u

#endif
