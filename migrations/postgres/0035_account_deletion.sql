-- A deleted account (PIPA: its holder asked, or an administrator for staff who left) stays as
-- a tombstone: the row keeps its id, so that the records an organisation must keep
-- (suggestions, complaints, attendance) still name someone, "탈퇴한 사용자", and keeps its
-- handle's key, so that nobody takes the handle to pass as the departed. Everything else
-- about the person is gone (db::erasure).
ALTER TABLE accounts ADD COLUMN deleted_at BIGINT;
