/**
 * The MobileNetV2 layers whose outputs the change network reads, one per scale: 1/2 (16
 * channels), 1/4 (24), 1/8 (32) and 1/16 (96). Blocks 11 on were fine-tuned by nsfwjs for its
 * own task; a fifth tap deeper still was tried and scored lower (DEEP_TAP below).
 */
export const ENCODER_TAPS = ['expanded_conv_project_BN', 'block_2_add', 'block_5_add', 'block_12_add'] as const;

/**
 * A deeper layer (1/32, 160 channels) that the encoder's export carries only with --deep, for an
 * image-pair network that reads it as a fifth tap (train.py --deep-tap). Tried in the fourteenth
 * session and not shipped: cross-validated LEVIR-CD fell (MODEL_CARD.md, "A deeper encoder tap").
 */
export const DEEP_TAP = 'block_15_add';
