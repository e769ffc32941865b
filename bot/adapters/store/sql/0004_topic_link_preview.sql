-- What the link preview above a topic's pushes shows: 'image' (the lead image), 'article'
-- (Telegram's preview of the article page) or 'off'; NULL follows DIGESTBOT_LINK_PREVIEW.
ALTER TABLE topics ADD COLUMN link_preview TEXT
    CHECK (link_preview IS NULL OR link_preview IN ('image', 'article', 'off'));
