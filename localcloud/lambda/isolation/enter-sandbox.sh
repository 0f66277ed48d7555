#!/bin/sh
# ---------------------------------------------------------------------------
# Enters one Lambda sandbox. Run as root by `unshare --mount --pid --fork --kill-child`, so it
# is PID 1 of a new PID namespace with a private mount namespace (nothing it mounts is seen
# outside, and it all goes when the sandbox's last process exits).
#
# It builds the sandbox's whole file system on a fresh tmpfs, much as Lambda's execution
# environment looks from inside: the OS read-only, the function's code at /var/task, the
# runtime at /var/runtime, the SDK at /opt/nodejs/node_modules, a private /tmp, a /proc that
# shows only this sandbox's processes. Nothing else of the host is there: not the local
# cloud's state (other functions' code, the accounts and their keys), not the project.
# Then it drops to the function's own unprivileged user, with no capabilities and no way to
# gain any (no_new_privs), and starts the runtime.
#
# Arguments: root task-root runtime-dir node-modules node-binary uid gid -- node-args...
# The function's environment passes through untouched; this script reads none of it.
# ---------------------------------------------------------------------------
set -eu
root=$1 task=$2 runtime=$3 modules=$4 node=$5 uid=$6 gid=$7
shift 8
# The function's PATH is restored for the runtime; this script uses the system's own tools.
function_path=${PATH-}
PATH=/usr/sbin:/usr/bin:/sbin:/bin

mount -t tmpfs -o mode=0755,size=16m,nosuid,nodev sandbox "$root"

# bind SOURCE TARGET: SOURCE read-only at TARGET inside the sandbox.
bind() {
  if [ -d "$1" ]; then mkdir -p "$root$2"; else mkdir -p "$root$(dirname "$2")"; : > "$root$2"; fi
  mount --bind "$1" "$root$2"
  mount -o remount,bind,ro,nosuid,nodev "$root$2"
}

bind /usr /usr
bind /etc /etc
# On a merged-/usr system /bin, /lib, ... are links into /usr; copy the links, bind real folders.
for dir in /bin /sbin /lib /lib64 /lib32; do
  if [ -L "$dir" ]; then ln -s "$(readlink "$dir")" "$root$dir"
  elif [ -d "$dir" ]; then bind "$dir" "$dir"; fi
done
bind "$task" /var/task
bind "$runtime" /var/runtime
bind "$modules" /opt/nodejs/node_modules
bind "$node" /var/lang/bin/node

mkdir -p "$root/tmp" "$root/proc" "$root/dev"
mount -t tmpfs -o mode=1777,size=512m,nosuid,nodev tmp "$root/tmp"
mount -t proc -o nosuid,nodev,noexec proc "$root/proc"
for device in null zero random urandom; do
  : > "$root/dev/$device"
  mount --bind "/dev/$device" "$root/dev/$device"
done
# The function's user must have a name and a home, or os.homedir() (which the SDK calls to
# find ~/.aws) fails: the host's /etc/passwd does not know it.
printf 'root:x:0:0:root:/root:/usr/sbin/nologin\nsbx_user:x:%s:%s:Lambda function:/tmp:/usr/sbin/nologin\n' "$uid" "$gid" > "$root/.passwd"
printf 'root:x:0:\nsbx_user:x:%s:\n' "$gid" > "$root/.group"
mount --bind "$root/.passwd" "$root/etc/passwd"
mount --bind "$root/.group" "$root/etc/group"
mount -o remount,ro "$root"

# This shell stays as the namespace's PID 1, and the runtime runs as its child. Killing the
# sandbox kills unshare, and --kill-child then kills this shell, which takes every process of
# the namespace with it. (Were the runtime PID 1 itself, that would not work: the kernel clears
# the parent-death signal when a process changes its user, as setpriv does.)
/usr/sbin/chroot "$root" /usr/bin/setpriv --reuid="$uid" --regid="$gid" --clear-groups \
  --inh-caps=-all --bounding-set=-all --no-new-privs \
  /usr/bin/env --chdir=/var/task PATH="$function_path" /var/lang/bin/node "$@" &
wait $!
