-- Attachments listed in the thread view (issue 12): each message keeps the list of files
-- Instantly names in `attachment_json` (name, size, type, an https download address), as JSON
-- text written by sync (`domain::Attachment`). Messages synced before this read as having
-- none until Instantly next changes them.
ALTER TABLE messages ADD COLUMN attachments TEXT;
