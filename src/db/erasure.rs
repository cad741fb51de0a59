//! Erasing a person (PIPA): what goes, what stays with the tombstone, in one transaction.
//!
//! Goes: their posts (with those others wrote on their wall, their replies and the boosts of
//! them), media, follows either way, favourites, bookmarks, lists, filters, notifications to and
//! from them, tokens and sessions, push subscriptions, reports by or about them, and every
//! setting. Stays, pointing at the tombstone: suggestions they raised and their histories,
//! complaints they filed (without the contact details), attendance, rooms and programs they
//! host, named room messages — the organisation's records. Room tickets were never linked to
//! anyone and stay so.

use super::{DbResult, Tx};
use crate::domain::room::TicketHolders;

/// The display name a tombstone shows wherever the departed are still named.
pub const DEPARTED: &str = "탈퇴한 사용자";

/// Rows that are the person's alone, deleted outright (`$1`: the account). Order matters only
/// where a row names another: statuses go before what they would cascade to anyway.
const GONE: &[&str] = &[
    "DELETE FROM statuses WHERE reblog_of_id IN (SELECT id FROM statuses WHERE account_id = $1 OR wall_account_id = $1)",
    "DELETE FROM statuses WHERE account_id = $1 OR wall_account_id = $1",
    "DELETE FROM media_attachments WHERE account_id = $1",
    "DELETE FROM status_mentions WHERE account_id = $1",
    "DELETE FROM follows WHERE account_id = $1 OR target_account_id = $1",
    "DELETE FROM follow_requests WHERE account_id = $1 OR target_account_id = $1",
    "DELETE FROM blocks WHERE account_id = $1 OR target_account_id = $1",
    "DELETE FROM mutes WHERE account_id = $1 OR target_account_id = $1",
    "DELETE FROM favourites WHERE account_id = $1",
    "DELETE FROM bookmarks WHERE account_id = $1",
    "DELETE FROM notifications WHERE account_id = $1 OR from_account_id = $1",
    "DELETE FROM notification_policies WHERE account_id = $1",
    "DELETE FROM notification_permissions WHERE account_id = $1 OR from_account_id = $1",
    "DELETE FROM markers WHERE account_id = $1",
    "DELETE FROM idempotency_keys WHERE account_id = $1",
    "DELETE FROM tokens WHERE account_id = $1",
    "DELETE FROM oauth_codes WHERE account_id = $1",
    "DELETE FROM login_failures WHERE account_id = $1",
    "DELETE FROM push_subscriptions WHERE account_id = $1",
    "DELETE FROM list_accounts WHERE account_id = $1",
    "DELETE FROM lists WHERE account_id = $1",
    "DELETE FROM filters WHERE account_id = $1",
    "DELETE FROM poll_votes WHERE account_id = $1",
    "DELETE FROM poll_voters WHERE account_id = $1",
    "DELETE FROM account_conversations WHERE account_id = $1",
    "DELETE FROM scheduled_statuses WHERE account_id = $1",
    "DELETE FROM reports WHERE account_id = $1 OR target_account_id = $1",
    "DELETE FROM account_warnings WHERE account_id = $1",
    "DELETE FROM followed_tags WHERE account_id = $1",
    "DELETE FROM featured_tags WHERE account_id = $1",
    "DELETE FROM endorsements WHERE account_id = $1 OR target_account_id = $1",
    "DELETE FROM suggestion_dismissals WHERE account_id = $1 OR target_account_id = $1",
    "DELETE FROM domain_blocks WHERE account_id = $1",
    "DELETE FROM announcement_reads WHERE account_id = $1",
    "DELETE FROM announcement_reactions WHERE account_id = $1",
    "DELETE FROM room_members WHERE account_id = $1",
    "DELETE FROM room_cohosts WHERE account_id = $1",
    "DELETE FROM suggestion_supports WHERE account_id = $1",
    // The fediverse forgets the account too: its remote followers, what waits to leave in its
    // name. Its key stays only while the `Delete` of its actor waits to be delivered
    // (`app::federation::federate_departure`, `db::federation::forget_departed_keys`).
    "DELETE FROM federation_deliveries WHERE account_id = $1",
    "DELETE FROM remote_followers WHERE account_id = $1",
    // Their practice identities are erased before them (`app::erasure`); the link goes here.
    "DELETE FROM practice_trainees WHERE account_id = $1",
];

/// Records kept, with the person's part in them let go (`$1`: the account).
const UNLINKED: &[&str] = &[
    "UPDATE statuses SET in_reply_to_account_id = NULL WHERE in_reply_to_account_id = $1",
    "UPDATE complaints SET contact = NULL WHERE petitioner_id = $1",
    "UPDATE reports SET assigned_account_id = NULL WHERE assigned_account_id = $1",
    "UPDATE reports SET action_taken_by = NULL WHERE action_taken_by = $1",
    "UPDATE account_warnings SET moderator_id = NULL WHERE moderator_id = $1",
    "UPDATE announcements SET author_id = NULL WHERE author_id = $1",
    "UPDATE custom_emojis SET created_by = NULL WHERE created_by = $1",
    "UPDATE holiday_adjustments SET account_id = NULL WHERE account_id = $1",
    "UPDATE blocked_servers SET created_by = NULL WHERE created_by = $1",
    "UPDATE tokens SET practice_account_id = NULL WHERE practice_account_id = $1",
];

/// The practice identities a person acts as in training practice spaces (`app::practice`).
pub async fn practice_identities(tx: &mut Tx, account_id: i64) -> DbResult<Vec<i64>> {
    let rows: Vec<(i64,)> =
        sqlx::query_as("SELECT practice_account_id FROM practice_trainees WHERE account_id = $1")
            .bind(account_id)
            .fetch_all(&mut **tx)
            .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// The files the person's media and the posts on their wall leave behind, to be removed
/// once the erasure has committed: (file, thumbnail) pairs.
pub async fn files_of(tx: &mut Tx, account_id: i64) -> DbResult<Vec<(String, String)>> {
    Ok(sqlx::query_as(
        "SELECT file_name, thumb_name FROM media_attachments WHERE account_id = $1 \
         OR status_id IN (SELECT id FROM statuses WHERE wall_account_id = $1) \
         UNION ALL SELECT avatar_file, avatar_file FROM accounts WHERE id = $1 AND avatar_file IS NOT NULL",
    )
    .bind(account_id)
    .fetch_all(&mut **tx)
    .await?)
}

/// Erases the person `account_id` and leaves the tombstone; false if there was no such
/// account left to erase.
pub async fn erase(tx: &mut Tx, account_id: i64, now: i64) -> DbResult<bool> {
    for statement in GONE.iter().chain(UNLINKED) {
        sqlx::query(*statement)
            .bind(account_id)
            .execute(&mut **tx)
            .await?;
    }
    forget_ticket_holder(tx, account_id).await?;
    let done = sqlx::query(
        "UPDATE accounts SET handle = $1, display_name = $2, name_choseong = NULL, email = NULL, \
         password_hash = NULL, note = '', position = NULL, locale = NULL, department_id = NULL, avatar_file = NULL, \
         locked = 0, federates = 0, federates_private = 0, official = 0, disabled = 1, suspended_at = COALESCE(suspended_at, $3), deleted_at = $3, \
         updated_at = $3 WHERE id = $4 AND deleted_at IS NULL",
    )
    .bind(format!("deleted_{account_id}"))
    .bind(DEPARTED)
    .bind(now)
    .bind(account_id)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Takes the account out of the rooms' lists of who was issued a ticket. The lists say only
/// that a ticket was issued, never which; without the account the room simply forgets it.
async fn forget_ticket_holder(tx: &mut Tx, account_id: i64) -> DbResult<()> {
    let listed: Vec<(i64, String)> = sqlx::query_as(
        "SELECT room_id, account_ids FROM room_ticket_holders WHERE account_ids LIKE $1",
    )
    .bind(format!("%{account_id}%"))
    .fetch_all(&mut **tx)
    .await?;
    for (room_id, ids) in listed {
        let Some(kept) = TicketHolders::parse(&ids).without(account_id) else {
            continue;
        };
        sqlx::query("UPDATE room_ticket_holders SET account_ids = $1 WHERE room_id = $2")
            .bind(kept.to_string())
            .bind(room_id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// The most deletions told to open streams; beyond, readers see the rest go on their next load.
const TOLD_DELETIONS: i64 = 1_000;

/// The posts an erasure removes (their own and those on their wall), newest first, for the
/// open streams to drop.
pub async fn status_ids(tx: &mut Tx, account_id: i64) -> DbResult<Vec<i64>> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT id FROM statuses WHERE account_id = $1 OR wall_account_id = $1 \
         ORDER BY id DESC LIMIT $2",
    )
    .bind(account_id)
    .bind(TOLD_DELETIONS)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Lets the handles of accounts deleted before `deleted_before` be taken again: the tombstone
/// keeps its own `deleted_<id>` only. Returns how many were let go.
pub async fn release_handles(tx: &mut Tx, deleted_before: i64) -> DbResult<u64> {
    let done = sqlx::query(
        "UPDATE accounts SET handle_key = handle WHERE deleted_at IS NOT NULL \
         AND deleted_at <= $1 AND handle_key <> handle",
    )
    .bind(deleted_before)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected())
}
