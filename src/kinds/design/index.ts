/** The design check of a lock kind (issue #18 item 5): `checkLockDesign()` and its verdict table. */
export { checkLockDesign, type DesignKindCheck, type DesignVariantOf } from './check.js'
export { DesignCheckError } from './errors.js'
export { formatLockDesign, type FormatLockDesignOptions } from './format.js'
export type { CheckLockDesignOptions } from './options.js'
export type { DesignCell, DesignCounterexample, DesignFailure, DesignForm, DesignVerdict, LockDesignVerdict } from './verdict.js'
