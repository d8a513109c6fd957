#!/usr/bin/env bash
# pg_dump both databases into $BACKUP_DIR (custom format), keep $KEEP_DAILY days and $KEEP_MONTHLY months.
# Reads PGHOST/PGUSER/PGPASSWORD (or ~/.pgpass) from the environment; see docs/deploy.md.
set -euo pipefail
BACKUP_DIR="${BACKUP_DIR:-/var/backups/policywatch}"
KEEP_DAILY="${KEEP_DAILY:-14}"
KEEP_MONTHLY="${KEEP_MONTHLY:-12}"
DATABASES="${DATABASES:-policywatch prefect}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
umask 077
mkdir -p "$BACKUP_DIR/daily" "$BACKUP_DIR/monthly"
for db in $DATABASES; do
    out="$BACKUP_DIR/daily/$db-$stamp.dump"
    pg_dump --format=custom --compress=6 --file="$out.partial" "$db"
    mv "$out.partial" "$out"
    # The first dump of each month is also kept as the monthly copy.
    month="$(date -u +%Y%m)"
    if ! ls "$BACKUP_DIR/monthly/$db-$month"* >/dev/null 2>&1; then
        cp "$out" "$BACKUP_DIR/monthly/$db-$month.dump"
    fi
done
find "$BACKUP_DIR/daily" -name '*.dump' -mtime +"$KEEP_DAILY" -delete
for db in $DATABASES; do
    ls -1t "$BACKUP_DIR/monthly/$db-"*.dump 2>/dev/null | tail -n +"$((KEEP_MONTHLY + 1))" | xargs -r rm --
done
