#!/bin/bash
# linux.rootfsPropagation sets the propagation of the container's root mount.
. "$(dirname "$0")/lib.sh"

# The bundles live on a shared mount of our own, so that a slave root has a
# master to follow (the runner's directory may be on a private mount).
mkdir -p "$WORK/shared"
mount --bind "$WORK/shared" "$WORK/shared" && mount --make-shared "$WORK/shared"
trap 'finish; umount -l "$WORK/shared"' EXIT
WORK_BUNDLES=$WORK/shared

for prop in private slave shared unbindable; do
        new_bundle '.linux.rootfsPropagation = $p' --arg p "$prop"
        run_ct sh -c 'awk "\$5 == \"/\" {for (i = 7; \$i != \"-\"; i++) printf \"%s \", \$i; print \"\"}" /proc/self/mountinfo'
        got=$OUT
        case "$prop" in
        private) case "$got" in *shared:* | *master:* | *unbindable*) res=no ;; *) res=yes ;; esac ;;
        slave) case "$got" in *master:*) res=yes ;; *) res=no ;; esac ;;
        shared) case "$got" in *shared:*) res=yes ;; *) res=no ;; esac ;;
        unbindable) case "$got" in *unbindable*) res=yes ;; *) res=no ;; esac ;;
        esac
        if [ "$RC" -eq 0 ] && [ "$res" = yes ]; then ok "rootfsPropagation $prop"; else
                notok "rootfsPropagation $prop" "optional fields of /: $got" "$(diag_err)"
        fi
done
