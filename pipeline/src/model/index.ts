/**
 * The change-detection model's public face for the pipeline: load once, prepare inputs, run tiled
 * inference, cut probability maps into objects.
 */
export { ChangeDetector, cudaLibraryPresent, FIRST_PATROL_HOLES, MAIN_ALONE, uncoveredShare, type ChangeMap, type DetectRasterOptions, type LoadOptions, type Network } from './change-detector.js';
export { prepareInputs, outputGrid, type ChangeInputs, type DsmInput, type PreparedInputs, type RgbInput } from './prepare.js';
export { rasteriseBaseline, type BaselineBuilding, type BaselineRasters } from './baseline-raster.js';
export { estimateGround, heightAboveGround, GROUND_DEFAULTS, type GroundOptions } from './ground.js';
export { resampleBand, type ResampleOptions, type Resampled } from './resample.js';
export { surfaceRise, addSurfaceRise, SURFACE_RISE_DEFAULTS, type SurfaceRiseOptions } from './surface-rise.js';
export { changeObjects, type ChangeObject, type ObjectOptions } from './change-objects.js';
export { chipSources, fillChip, fillWindow } from './chip.js';
export { chipLayout, chipOffsets, BlendAccumulator } from './tiling.js';
export { chipsOf, loadModelSpec, DEFAULT_SPEC_PATH, CHANNELS, type ModelSpec } from './model-spec.js';
export { fillPolygon, polygonArea, polygonLabels, polygonMask, type PolygonRings } from './polygon-fill.js';
export * from './grid.js';
