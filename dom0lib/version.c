// SPDX-License-Identifier: GPL-2.0 OR MIT
/* version.c - the release both tools print for --version (dkms.conf's
 * PACKAGE_VERSION, passed in by the Makefile: one number for the module, the
 * daemon, the CLI and the packages). */
#include "ccdom0.h"

const char ccd_version[] = CCD_VERSION;
