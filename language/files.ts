/** Which files are training configs without any setting: the extension and the language server both start here. */
export const DEFAULT_PATTERNS: readonly string[] = ['**/*.train.yaml', '**/*.train.yml'];
