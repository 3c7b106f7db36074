// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Test-only build: the release source, compiled with CCNET_HOSTILE. */
#include "../xdp.c"
