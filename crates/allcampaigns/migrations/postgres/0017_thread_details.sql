-- What the thread view shows beyond the messages (issue 12):
-- * each message keeps the list of files Instantly names in `attachment_json` (name, size,
--   type, an https download address), as JSON text written by sync (`domain::Attachment`);
-- * each lead keeps the campaign step and variant it last replied to (Instantly's
--   `email_replied_step` and `email_replied_variant`), for the lead panel.
-- Rows synced before this read as having none until Instantly next changes them.
ALTER TABLE messages ADD COLUMN attachments text;
ALTER TABLE leads ADD COLUMN replied_step bigint;
ALTER TABLE leads ADD COLUMN replied_variant bigint;
