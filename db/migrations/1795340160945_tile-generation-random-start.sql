-- Up Migration
-- Each database starts its tile generations at a random point of its own. Tile caches outlive a
-- database (Redis keys for a day, a browser's ETags): a re-created database counting again from 0
-- would meet the old database's numbers and be served its tiles. 2^52 leaves room below 2^53, the
-- largest integer a JavaScript number holds exactly.
UPDATE tile_layer_generation SET generation = generation + floor(random() * 2 ^ 52)::bigint;

-- Down Migration
-- Nothing to undo: any start is as good as another.
