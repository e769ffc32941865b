-- The lead image the publisher chose for an article (media:content, an image enclosure,
-- JSON Feed image, og:image, or the first sizable <img>); NULL when there is none.
ALTER TABLE articles ADD COLUMN image_url TEXT;
