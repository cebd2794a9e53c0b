/**
 * Plans the detection of a flight as blocks: square windows of the model's grid, each read with a
 * margin around it (the ground estimate and the model's receptive field need context), written
 * back without the margin, so blocks tile the flight exactly and a worker's memory depends on the
 * block size, never on the flight's. Pure: a grid in, block windows out.
 *
 * @example
 * planBlocks({ width: 1200, height: 700 }, { blockPx: 512, marginPx: 64 }).length // => 6
 */

export interface BlockPlanOptions {
  /** Side of a block's core, pixels of the model grid. Default 512 (256 m at 0.5 m). */
  blockPx?: number;
  /** Context read around the core on each side, pixels. Default 64 (32 m at 0.5 m). */
  marginPx?: number;
}

export interface Block {
  /** Core window on the flight grid (written). */
  col: number;
  row: number;
  width: number;
  height: number;
  /** Read window, core plus margin; may reach outside the grid (read as missing). */
  readCol: number;
  readRow: number;
  readWidth: number;
  readHeight: number;
}

export function planBlocks(grid: { width: number; height: number }, options: BlockPlanOptions = {}): Block[] {
  const { blockPx = 512, marginPx = 64 } = options;
  const blocks: Block[] = [];
  for (let row = 0; row < grid.height; row += blockPx) {
    for (let col = 0; col < grid.width; col += blockPx) {
      const width = Math.min(blockPx, grid.width - col);
      const height = Math.min(blockPx, grid.height - row);
      blocks.push({
        col, row, width, height,
        readCol: col - marginPx, readRow: row - marginPx, readWidth: width + 2 * marginPx, readHeight: height + 2 * marginPx,
      });
    }
  }
  return blocks;
}
