// Checks requests against GitHub's own OpenAPI description (@octokit/openapi), the way GitHub
// rejects a body that does not fit the operation's schema: 422 "Invalid request.\n\n…".
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import addFormats from 'ajv-formats'

type Json = Record<string, unknown>

export interface Operation {
  method: string
  template: string
  documentationUrl?: string
  requestSchema?: unknown
}

interface IndexedOperation extends Operation {
  segments: string[]
  literals: number
}

const METHODS = ['get', 'put', 'post', 'patch', 'delete']

export class OpenApiDescription {
  private readonly validators = new Map<IndexedOperation, ValidateFunction>()
  /** Each method and path looked up once: the same requests come again and again. */
  private readonly found = new Map<string, IndexedOperation | undefined>()
  private readonly ajv = new Ajv({ strict: false, allErrors: true, verbose: true })

  private constructor(
    private readonly operations: IndexedOperation[],
    private readonly components: Json
  ) {
    addFormats.default(this.ajv)
  }

  /** Read once per module instance (each test file has its own), from the slim copy. */
  static load(): Promise<OpenApiDescription> {
    loading ??= readDescription().then(({ operations, components }) => new OpenApiDescription(operations, components))
    return loading
  }

  /** The operation of a method and raw (still URL-encoded) path; the most literal template wins. */
  find(method: string, path: string): Operation | undefined {
    const key = `${method} ${path}`
    if (!this.found.has(key)) this.found.set(key, this.search(method, path))
    return this.found.get(key)
  }

  private search(method: string, path: string): IndexedOperation | undefined {
    const segments = path.split('/').filter(Boolean)
    let best: IndexedOperation | undefined
    for (const operation of this.operations) {
      if (operation.method !== method || operation.segments.length !== segments.length) continue
      const fits = operation.segments.every((s, i) => s.startsWith('{') || s === segments[i])
      if (fits && (!best || operation.literals > best.literals)) best = operation
    }
    return best
  }

  /** Why the JSON body does not fit the operation's request schema; empty when it fits. */
  validate(operation: Operation, body: unknown): string[] {
    const validator = this.validator(operation as IndexedOperation)
    if (!validator || validator(body)) return []
    return describe(validator.errors ?? [])
  }

  private validator(operation: IndexedOperation): ValidateFunction | undefined {
    if (!operation.requestSchema) return undefined
    let validator = this.validators.get(operation)
    if (!validator) {
      // `#/components/…` references resolve against the root of the compiled schema, so the
      // components the body schema uses travel with it.
      // OpenAPI 3.0's `nullable` without a `type` (e.g. the issue's `milestone: {oneOf, nullable}`)
      // is not something Ajv compiles: it becomes `anyOf: [schema, {type: null}]`.
      const root = withNullables({
        allOf: [operation.requestSchema],
        components: this.referencedComponents(operation.requestSchema)
      }) as object
      validator = this.ajv.compile(root)
      this.validators.set(operation, validator)
    }
    return validator
  }

  private referencedComponents(schema: unknown): Json {
    const collected: Json = {}
    const visit = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(visit)
      if (!node || typeof node !== 'object') return
      const ref = (node as Json).$ref
      if (typeof ref === 'string' && ref.startsWith('#/components/')) {
        const [group = '', name = ''] = ref.slice('#/components/'.length).split('/')
        const groupCollected = (collected[group] ??= {}) as Json
        if (!(name in groupCollected)) {
          const target = (this.components[group] as Json | undefined)?.[name]
          groupCollected[name] = target
          visit(target)
        }
      }
      Object.values(node).forEach(visit)
    }
    visit(schema)
    return collected
  }
}

let loading: Promise<OpenApiDescription> | undefined

/** A copy in which every `nullable: true` lacking a `type` is spelled `anyOf: [schema, {type: 'null'}]`. */
function withNullables(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withNullables)
  if (!node || typeof node !== 'object') return node
  const copy: Json = {}
  for (const [key, value] of Object.entries(node)) copy[key] = withNullables(value)
  if (copy.nullable === true && copy.type === undefined) {
    const { nullable: _nullable, description, ...schema } = copy
    return { ...(description === undefined ? {} : { description }), anyOf: [schema, { type: 'null' }] }
  }
  return copy
}

/**
 * The operations and the components their request bodies use. The description is 13 MB of JSON
 * (a quarter of a second to parse, in every test file); what the emulator needs of it is kept
 * beside it in node_modules/.cache, about 0.5 MB, keyed by the package's version.
 */
async function readDescription(): Promise<{ operations: IndexedOperation[]; components: Json }> {
  const require = createRequire(import.meta.url)
  const version = (require('@octokit/openapi/package.json') as { version: string }).version
  const cache = join(
    dirname(require.resolve('@octokit/openapi/package.json')),
    '..',
    '..',
    '.cache',
    'meta-token-rotator',
    `openapi-${version}.json`
  )
  let slim: SlimDescription
  try {
    slim = JSON.parse(await readFile(cache, 'utf8')) as SlimDescription
  } catch {
    slim = await slimDescription(require.resolve('@octokit/openapi/generated/api.github.com.json'))
    await mkdir(dirname(cache), { recursive: true })
    // Written whole, then renamed: a test file reading it in parallel never sees half of it.
    const partial = `${cache}.${process.pid}.partial`
    await writeFile(partial, JSON.stringify(slim))
    await rename(partial, cache)
  }
  const operations = slim.operations.map((operation): IndexedOperation => {
    const segments = operation.template.split('/').filter(Boolean)
    return { ...operation, segments, literals: segments.filter((s) => !s.startsWith('{')).length }
  })
  return { operations, components: slim.components }
}

interface SlimDescription {
  operations: Operation[]
  components: Json
}

async function slimDescription(file: string): Promise<SlimDescription> {
  const document = JSON.parse(await readFile(file, 'utf8')) as { paths: Record<string, Json>; components: Json }
  const operations: Operation[] = []
  const referenced = new Set<string>()
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit)
    if (!node || typeof node !== 'object') return
    const ref = (node as Json).$ref
    if (typeof ref === 'string') referenced.add(ref)
    Object.values(node).forEach(visit)
  }
  for (const [template, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method] as Json | undefined
      if (!operation) continue
      const schema = requestSchema(operation, document.components)
      visit(schema)
      operations.push({
        method: method.toUpperCase(),
        template,
        documentationUrl: (operation.externalDocs as Json | undefined)?.url as string | undefined,
        requestSchema: schema
      })
    }
  }
  // The components those bodies use, and the ones those use in turn.
  const components: Record<string, Json> = {}
  for (let added = true; added;) {
    added = false
    for (const ref of [...referenced].filter((r) => r.startsWith('#/components/'))) {
      const [group = '', name = ''] = ref.slice('#/components/'.length).split('/')
      const kept = (components[group] ??= {})
      if (name in kept) continue
      kept[name] = (document.components[group] as Json | undefined)?.[name]
      visit(kept[name])
      added = true
    }
  }
  return { operations, components }
}

function requestSchema(operation: Json, components: Json): unknown {
  let body = operation.requestBody as Json | undefined
  const ref = body?.$ref
  if (typeof ref === 'string') body = (components.requestBodies as Json)[ref.split('/').pop() ?? ''] as Json
  const content = body?.content as Record<string, Json> | undefined
  return content?.['application/json']?.schema
}

/** Ajv's errors in the words GitHub uses, e.g. `"key_id" wasn't supplied.` */
function describe(errors: ErrorObject[]): string[] {
  const missing = errors.filter((e) => e.keyword === 'required').map((e) => `"${String(e.params.missingProperty)}"`)
  const messages: string[] = []
  if (missing.length === 1) messages.push(`${missing[0]} wasn't supplied.`)
  if (missing.length > 1) messages.push(`${missing.join(', ')} weren't supplied.`)
  for (const error of errors) {
    const where = `For '${location(error.instancePath)}', ${shown(error.data)}`
    if (error.keyword === 'type') messages.push(`${where} is not ${article(String(error.params.type))}.`)
    else if (error.keyword === 'enum') {
      messages.push(`${where} is not a member of ${JSON.stringify(error.params.allowedValues)}.`)
    } else if (error.keyword === 'pattern') messages.push(`${where} does not match ${String(error.params.pattern)}.`)
    else if (!['required', 'anyOf', 'oneOf', 'allOf'].includes(error.keyword))
      messages.push(`${where} ${error.message ?? 'is invalid'}.`)
  }
  return [...new Set(messages)]
}

/** `/selected_repository_ids/0` → `properties/selected_repository_ids/items`. */
function location(instancePath: string): string {
  const parts = instancePath.split('/').filter(Boolean)
  return parts.map((p) => (/^\d+$/.test(p) ? 'items' : `properties/${p}`)).join('/') || 'body'
}

/** Long strings are not echoed: a client that forgot to seal would see its plaintext here. */
function shown(value: unknown): string {
  if (typeof value === 'string' && value.length > 40) return 'the value'
  return JSON.stringify(value) ?? 'undefined'
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`
}
