// GitHub's own OpenAPI description (@octokit/openapi) as a checker of the emulator's answers: the
// response schema of an operation and status, with OpenAPI 3.0's `nullable` spelled as JSON Schema.
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { expect } from '@jest/globals'
import { Ajv, type ValidateFunction } from 'ajv'
import addFormats from 'ajv-formats'

type Json = Record<string, unknown>

export type ResponseShape = (body: unknown, template: string, method: string, status: string) => void

/** Loads the description once; the returned check fails the test when a body does not fit its schema. */
export async function responseShapes(): Promise<ResponseShape> {
  const require = createRequire(import.meta.url)
  const document = JSON.parse(
    await readFile(require.resolve('@octokit/openapi/generated/api.github.com.json'), 'utf8')
  ) as { paths: Record<string, Record<string, Json>>; components: Json }
  const ajv = new Ajv({ strict: false, allErrors: true })
  addFormats.default(ajv)
  const nullable = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(nullable)
    if (!node || typeof node !== 'object') return node
    const copy: Json = {}
    for (const [k, v] of Object.entries(node)) copy[k] = nullable(v)
    if (copy.nullable === true) {
      const { nullable: _n, ...rest } = copy
      return { anyOf: [rest, { type: 'null' }] }
    }
    return copy
  }
  const components = nullable(document.components) as Json
  const compiled = new Map<string, ValidateFunction>()
  const validator = (template: string, method: string, status: string): ValidateFunction => {
    const key = `${method} ${template} ${status}`
    let validate = compiled.get(key)
    if (!validate) {
      const response = (document.paths[template]?.[method]?.responses as Json)[status] as Json
      const schema = ((response.content as Json)['application/json'] as Json).schema
      validate = ajv.compile({ ...(nullable(schema) as Json), components })
      compiled.set(key, validate)
    }
    return validate
  }
  return (body, template, method, status) => {
    const validate = validator(template, method, status)
    expect(validate(body) ? [] : validate.errors).toEqual([])
  }
}
