-- No query reads messages by `created_at` through this index any more: History's date filters
-- go through `message_spans` (0007), which bound the ids they walk. Every enqueue paid for
-- keeping it.
DROP INDEX messages_created;
