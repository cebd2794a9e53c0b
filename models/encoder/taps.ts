/**
 * The MobileNetV2 layers whose outputs the change network reads, one per scale: 1/2 (16
 * channels), 1/4 (24), 1/8 (32) and 1/16 (96). Deeper blocks were fine-tuned by nsfwjs for its
 * own task and cost more than the 40 ms chip budget allows.
 */
export const ENCODER_TAPS = ['expanded_conv_project_BN', 'block_2_add', 'block_5_add', 'block_12_add'] as const;
