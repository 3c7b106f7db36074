/* ccd_valid.h - pure validation helpers and xenstore key names shared by
 * colorcomd (back/) and colorcomctl (toolstack/).  No Xen headers, no I/O:
 * everything here builds and is unit tested without a hypervisor.
 *
 * Key names mirror docs/protocol.md, "Xenstore keys and states" (common/ccproto.h will hold the
 * canonical CCPROTO_* macros; until it exists these are the single copy for
 * the dom0 side).
 */
#ifndef CCD_VALID_H
#define CCD_VALID_H

#include <stddef.h>
#include <stdint.h>

/* --- xenstore layout ---------------------------------------------------- */
#define CCD_NIC_TYPE        "colorcom"
#define CCD_LINK_TYPE       "cclink"
#define CCD_BACKEND_ROOT    "/local/domain/0/backend/colorcom"
/* dom0-only records of attached NICs, by domain UUID, for re-attaching them
 * after a reboot: CCD_PERSIST_ROOT/UUID/DEVID/{name,network,mac,mtu,
 * ring-page-order}.  Written by colorcomctl with the attach, removed by
 * detach, and by colorcomd once no domain has had the UUID for the
 * configured reboot-grace. */
#define CCD_PERSIST_ROOT    "/local/domain/0/colorcom/persist"

#define CCD_K_BACKEND       "backend"
#define CCD_K_BACKEND_ID    "backend-id"
#define CCD_K_FRONTEND      "frontend"
#define CCD_K_FRONTEND_ID   "frontend-id"
#define CCD_K_STATE         "state"
#define CCD_K_MAC           "mac"
#define CCD_K_NETWORK       "network"
#define CCD_K_MTU           "mtu"
#define CCD_K_ORDER         "ring-page-order"
#define CCD_K_ONLINE        "online"
#define CCD_K_ERROR         "error"
#define CCD_K_NIC           "nic"
#define CCD_K_PEER_MAC      "peer-mac"
#define CCD_K_BROKEN        "broken"
/* NIC backend dir, written by the toolstack (colorcomctl uplink, or colorcomd
 * from network.NAME.uplink): "1" = this is dom0's uplink NIC of its network. */
#define CCD_K_UPLINK        "uplink"
/* Link half, written by colorcomd only, in the half of the NIC whose PEER is
 * the uplink: "1" = accept any source MAC from this peer, send it unknown
 * unicast.  It lives in the reader's own half so the peer cannot forge it. */
#define CCD_K_PEER_UPLINK   "peer-uplink"

/* XenbusState values (xen/io/xenbus.h), spelled out to stay header-free. */
enum {
	CCD_XS_UNKNOWN = 0,
	CCD_XS_INITIALISING = 1,
	CCD_XS_INITWAIT = 2,
	CCD_XS_INITIALISED = 3,
	CCD_XS_CONNECTED = 4,
	CCD_XS_CLOSING = 5,
	CCD_XS_CLOSED = 6,
	CCD_XS_RECONFIGURING = 7,
	CCD_XS_RECONFIGURED = 8,
	CCD_XS_MAX = 8,
};

/* --- limits ------------------------------------------------------------- */
#define CCD_DOMID_MAX       0x7FEFu    /* DOMID_FIRST_RESERVED - 1 */
#define CCD_DEVID_MAX       15u
#define CCD_NET_MAXLEN      32
#define CCD_MTU_MIN         68ul
#define CCD_MTU_MAX         65521ul
#define CCD_MTU_DEFAULT     1500ul
#define CCD_ORDER_MIN       6ul
#define CCD_ORDER_MAX       9ul
#define CCD_ORDER_DEFAULT   6ul
#define CCD_LINK_ID_MAX     ((CCD_DOMID_MAX << 8) | 0xFFu)
#define CCD_VAL_MAXLEN      255        /* longest value we ever accept */

/* Strict unsigned decimal: 1..10 digits, no sign, no spaces, no leading
 * zero (except "0" itself), value <= max.  Returns 0 or -1. */
int ccd_parse_uint(const char *s, size_t len, unsigned long max,
		   unsigned long *out);

/* "xx:xx:xx:xx:xx:xx", hex digits of either case, exactly 17 chars. */
int ccd_parse_mac(const char *s, size_t len, uint8_t mac[6]);
/* Unicast: I/G bit clear and not all-zero. */
int ccd_mac_is_unicast(const uint8_t mac[6]);
/* Lower-case canonical form, out must hold 18 bytes. */
void ccd_mac_format(const uint8_t mac[6], char out[18]);

/* [a-z0-9][a-z0-9_-]{0,31} */
int ccd_valid_network(const char *s, size_t len);

int ccd_valid_mtu(unsigned long mtu);
int ccd_valid_order(unsigned long order);

/* XenbusState as written by a guest: strict decimal 0..8, else -1. */
int ccd_parse_state(const char *s, size_t len);
const char *ccd_state_name(int state);

/* L = (B << 8) | (na << 4) | nb, for domains A < B. */
unsigned ccd_link_id(unsigned b, unsigned na, unsigned nb);
void ccd_link_decode(unsigned l, unsigned *b, unsigned *na, unsigned *nb);

/* dom0's interface name for the uplink of network net: "ccup-" + net, cut
 * to IFNAMSIZ - 1 = 15 characters (front/nic.c makes the same name).  out
 * holds 16 bytes. */
#define CCD_UPLINK_PREFIX   "ccup-"
#define CCD_IFNAMSIZ        16
void ccd_uplink_ifname(const char *net, char out[CCD_IFNAMSIZ]);

/* Copy printable ASCII of s (at most len bytes) into out (size outsz),
 * replacing anything else by '?'.  For logging guest-written text. */
void ccd_sanitize(const char *s, size_t len, char *out, size_t outsz);

#endif
