#!/usr/bin/env bash
# A throwaway Dovecot IMAP server on loopback for the poll_mailbox test.
#
#   .ci/imap-server.sh start DIR [PORT]   installs dovecot-imapd if missing, starts a server
#                                          whose config, passwd file, Maildir and logs all live
#                                          in DIR; prints IMAP_* settings to use
#   .ci/imap-server.sh stop DIR           stops it
#
# Nothing outside DIR is configured; the system's own dovecot (if any) is untouched.
set -eu

cmd=${1:-}
dir=${2:-}
port=${3:-10143}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR [PORT]" >&2; exit 2; }

if [ "$cmd" = stop ]; then
    [ -f "$dir/dovecot.conf" ] && /usr/sbin/dovecot -c "$dir/dovecot.conf" stop 2>/dev/null || true
    exit 0
fi

if [ ! -x /usr/sbin/dovecot ]; then
    if [ "$(id -u)" = 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q \
            dovecot-imapd >/dev/null
    else
        echo "dovecot-imapd is not installed and we are not root" >&2
        exit 3
    fi
fi

mkdir -p "$dir/run" "$dir/state" "$dir/home"
chmod 755 "$dir"  # the unprivileged mail user must reach its home below
dir=$(cd "$dir" && pwd)
if [ "$(id -u)" = 0 ]; then
    # Dovecot refuses to run mailboxes as root: use its own unprivileged user.
    mail_user=dovecot
    login_user=dovenull
else
    mail_user=$(id -un)
    login_user=$mail_user
fi
uid=$(id -u "$mail_user")
gid=$(id -g "$mail_user")
user=helpdesk@example.test
password=imap-test-password
printf '%s:{PLAIN}%s\n' "$user" "$password" > "$dir/passwd"
mkdir -p "$dir/home/$user/Maildir/cur" "$dir/home/$user/Maildir/new" "$dir/home/$user/Maildir/tmp"
chown -R "$uid:$gid" "$dir/home"

cat > "$dir/dovecot.conf" <<CONF
base_dir = $dir/run
state_dir = $dir/state
instance_name = helpdesk-test-$port
log_path = $dir/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
default_login_user = $login_user
default_internal_user = $mail_user
mail_location = maildir:~/Maildir
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $dir/passwd
}
userdb {
  driver = static
  args = uid=$uid gid=$gid home=$dir/home/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $port
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
service imap-login {
  chroot =
}
CONF

# Detach fully: the daemon must not hold the caller's stdout/stderr (they log to log_path).
/usr/sbin/dovecot -c "$dir/dovecot.conf" </dev/null >/dev/null 2>&1
# Wait for the listener.
i=0
while ! (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; do
    i=$((i + 1))
    [ $i -gt 50 ] && { echo "dovecot did not start; see $dir/dovecot.log" >&2; exit 1; }
    sleep 0.1
done
echo "IMAP_HOST=127.0.0.1"
echo "IMAP_PORT=$port"
echo "IMAP_USER=$user"
echo "IMAP_PASSWORD=$password"
echo "IMAP_FOLDER=INBOX"
echo "IMAP_SSL=false"
echo "IMAP_MAILDIR=$dir/home/$user/Maildir"
