// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The ring implementation is shared verbatim with the userspace tests and the
 * fuzzer; it is compiled into the module from common/ rather than copied.
 */
#include "ccring.c"
