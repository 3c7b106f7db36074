// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The metadata rules are shared verbatim with the userspace unit tests. */
#include "ccmeta.c"
