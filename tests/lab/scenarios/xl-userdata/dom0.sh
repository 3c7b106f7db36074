# xl-userdata: where does xl 4.17 keep a domain's config, and does a `colorcom = [...]`
# line survive there?  Issue #13 item 1 assumed that xl stores the raw config text of
# every domain it creates, restores or receives as libxl userdata "xl", which colorcomd
# could read back and parse with libxlutil.  This boot records what Debian's xl does:
#   create:        userdata files of the new domain, and whether any holds the line;
#   config-update: the same after `xl config-update` (the one xl command that stores "xl");
#   save/restore:  the same for the restored domain.
# Libxl keeps userdata as /var/lib/xen/userdata-d.DOMID.UUID.KEY.  Each check states a
# fact about xl and fails if xl behaves otherwise.
LAB_GUEST_MEM=128
UD=/var/lib/xen
LINE="colorcom = [ 'network=blue,mac=00:16:3e:1c:00:0a' ]"
# keys DOMID: the userdata keys libxl holds for that domain, space-separated.
keys() { ls "$UD" 2>/dev/null | sed -n "s/^userdata-d\.$1\.[^.]*\.//p" | sort | tr '\n' ' '; }
# holds_line DOMID KEY: that userdata file mentions the colorcom key.
holds_line() { grep -q colorcom "$UD"/userdata-d."$1".*."$2"; }
has_key() { [ -e "$(ls -d "$UD"/userdata-d."$1".*."$2" 2>/dev/null | head -n1)" ]; }

cc_daemon_check colorcomd-starts
lab_guest a "$LINE" || { fail guest-up "a did not boot"; exit 1; }
pass guest-up
A=$(domid a)
result keys_after_create "[$(keys "$A")]"
check create-keeps-libxl-json has_key "$A" libxl-json
check create-stores-no-xl-userdata not has_key "$A" xl
check libxl-json-drops-colorcom-line not holds_line "$A" libxl-json
# Not a colorcom NIC: colorcomd saw nothing that names one.
check create-attaches-nothing not xenstore-exists "/local/domain/$A/device/colorcom/0"

if xl config-update a /etc/xen/a.cfg >"$LAB_LOGDIR/xl-config-update.log" 2>&1; then pass config-update; else fail config-update "$(tail -n1 "$LAB_LOGDIR/xl-config-update.log")"; fi
result keys_after_config_update "[$(keys "$A")]"
check config-update-stores-xl-userdata has_key "$A" xl
check xl-userdata-holds-colorcom-line holds_line "$A" xl

if xl save a /tmp/a.save >"$LAB_LOGDIR/xl-save.log" 2>&1; then pass xl-save; else fail xl-save "$(tail -n1 "$LAB_LOGDIR/xl-save.log")"; fi
# The save image carries the config as libxl JSON, not as the text.  xl's header: 32-byte
# magic, then byte order, mandatory flags, optional flags and optional-data length (u32
# each), then the optional data: a u32 length and the config.  (Grepping the whole image
# would find this script itself: the guest's initramfs holds the scenario folder.)
len=$(od -An -t u4 -j 48 -N 4 /tmp/a.save | tr -d ' ')
tail -c +53 /tmp/a.save | head -c "${len:-0}" | tr -d '\0' >"$LAB_LOGDIR/a.save-config.json"
check save-config-is-libxl-json grep -q '"c_info"' "$LAB_LOGDIR/a.save-config.json"
check save-config-drops-colorcom-line not grep -q colorcom "$LAB_LOGDIR/a.save-config.json"
if xl restore /tmp/a.save >"$LAB_LOGDIR/xl-restore.log" 2>&1; then pass xl-restore; else fail xl-restore "$(tail -n1 "$LAB_LOGDIR/xl-restore.log")"; fi
A2=$(domid a)
result keys_after_restore "[$(keys "$A2")]"
check restore-keeps-libxl-json has_key "$A2" libxl-json
check restore-stores-no-xl-userdata not has_key "$A2" xl
grep -a 'Savefile contains' "$LAB_LOGDIR/xl-restore.log" >/dev/null && result restore_config_source "$(grep -a 'Savefile contains' "$LAB_LOGDIR/xl-restore.log" | head -n1)"
xl destroy a >/dev/null 2>&1
