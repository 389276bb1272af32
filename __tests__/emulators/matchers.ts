// Jest's asymmetric matchers are typed `any`; the same matchers typed `unknown`, to nest in expected objects.
export const anyString: unknown = expect.any(String)
export const anyNumber: unknown = expect.any(Number)
export const matching = (pattern: RegExp | string): unknown => expect.stringMatching(pattern)
export const containing = (object: Record<string, unknown>): unknown => expect.objectContaining(object)
export const including = (items: unknown[]): unknown => expect.arrayContaining(items)
