// What each strategy needs and refuses, judged once every input has been read.
import { Input } from '../contract.js'
import type { InputReading } from './input-reading.js'
import type { MetaInputs } from './meta-inputs.js'

export function checkStrategyRules(inputs: InputReading, meta: MetaInputs): void {
  if (meta.strategy === 'generate') checkGenerate(inputs, meta)
  if (meta.strategy === 'instagram') checkInstagram(inputs, meta)
  if (meta.strategy !== 'generate') {
    if (meta.generateEndpoint === 'business')
      inputs.problem(Input.GenerateEndpoint, `only applies to ${inputs.set(Input.Strategy, 'generate')}.`)
    inputs.notWith(Input.BusinessId, `only applies to ${inputs.set(Input.Strategy, 'generate')}.`)
  }
  if (meta.installApp && !meta.systemUserId && !meta.token) {
    inputs.problem(
      Input.InstallApp,
      `needs ${inputs.name(Input.SystemUserId)}, or the system user's current token in ${inputs.name(Input.Token)} (and ${inputs.name(Input.AdminToken)}).`
    )
  }
  if (meta.installApp && meta.strategy !== 'generate')
    inputs.problem(Input.InstallApp, `only applies to ${inputs.set(Input.Strategy, 'generate')}.`)
}

function checkGenerate(inputs: InputReading, meta: MetaInputs): void {
  const generate = inputs.set(Input.Strategy, 'generate')
  if (!meta.systemUserId && !meta.token) {
    inputs.problem(
      Input.SystemUserId,
      `required with ${generate} when ${inputs.name(Input.Token)} is empty: the app-scoped id of the system user the token is for (debug_token's user_id for one of its tokens).`
    )
  }
  checkGenerateEndpoint(inputs, meta)
  if (!meta.adminToken)
    inputs.problem(Input.AdminToken, `required with ${generate} (a Business Manager admin or system user token).`)
  if (meta.scopes.length === 0)
    inputs.problem(Input.Scopes, `required with ${generate} (the permissions of the new token).`)
  if (meta.revoke === 'true' && !meta.token)
    inputs.problem(Input.Revoke, `'true' needs the old token to revoke in ${inputs.name(Input.Token)}.`)
  if (meta.adminToken && meta.token && meta.adminToken === meta.token) {
    inputs.problem(
      Input.Token,
      `is the same token as ${inputs.name(Input.AdminToken)}: the admin token is never replaced or revoked. Pass the system user's current token, or leave it empty.`
    )
  }
}

/** POST /{business-id}/system_user_access_tokens needs the business; the default endpoint does not use one. */
function checkGenerateEndpoint(inputs: InputReading, meta: MetaInputs): void {
  if (meta.generateEndpoint === 'business' && !meta.businessId) {
    inputs.problem(
      Input.BusinessId,
      `required with ${inputs.set(Input.GenerateEndpoint, 'business')}: the id of the Business Manager that owns the system user (Business settings > Business info).`
    )
  }
  if (meta.generateEndpoint === 'system-user' && meta.businessId) {
    inputs.problem(
      Input.BusinessId,
      `only applies to ${inputs.set(Input.GenerateEndpoint, 'business')}; POST /{system-user-id}/access_tokens does not use it. Remove it, or set ${inputs.set(Input.GenerateEndpoint, 'business')}.`
    )
  }
}

function checkInstagram(inputs: InputReading, meta: MetaInputs): void {
  const instagram = inputs.set(Input.Strategy, 'instagram')
  const only = `Instagram Login tokens`
  if (meta.revoke === 'true') {
    inputs.problem(
      Input.Revoke,
      `'true' is impossible with ${instagram}: Instagram has no revoke endpoint. Use auto or false.`
    )
  }
  if (meta.revoke === 'after-deploy') {
    inputs.problem(
      Input.Revoke,
      `'after-deploy' has nothing to hand over with ${instagram}: Instagram has no revoke endpoint. Use auto or false.`
    )
  }
  inputs.notWith(
    Input.PageSecrets,
    `does not apply to ${only}: page tokens come from a Graph API user or system user token.`
  )
  inputs.notWith(Input.Scopes, `does not apply to ${only}: their permissions cannot be read. Remove it.`)
  inputs.notWith(
    Input.RotateBefore,
    `does not apply to ${only}: their expiry cannot be read, and each refresh restarts the 60 days. Remove it and run the workflow weekly.`
  )
  inputs.notWith(Input.SystemUserId, `only applies to ${inputs.set(Input.Strategy, 'generate')}.`)
  inputs.notWith(Input.AdminToken, `only applies to ${inputs.set(Input.Strategy, 'generate')}.`)
  if (meta.appId || meta.appSecret) {
    inputs.warnings.push(
      `${inputs.name(Input.AppId)} and ${inputs.name(Input.AppSecret)} are not used with ${instagram}: Instagram's refresh needs no app secret, and none was sent.`
    )
  }
}
