// libsodium's sealed box, as GitHub expects: only the holder of the destination's private key opens it.
import sodium from 'libsodium-wrappers'

let ready: Promise<void> | undefined

/** Loads libsodium's WebAssembly once per process. */
export function sodiumReady(): Promise<void> {
  ready ??= sodium.ready
  return ready
}

/** base64(crypto_box_seal(value, publicKey)), with the public key given in base64 as GitHub sends it. */
export async function sealForGitHub(value: string, publicKeyBase64: string): Promise<string> {
  await sodiumReady()
  const publicKey = sodium.from_base64(publicKeyBase64, sodium.base64_variants.ORIGINAL)
  if (publicKey.length !== sodium.crypto_box_PUBLICKEYBYTES) {
    throw new Error(`the public key is ${publicKey.length} bytes long, not ${sodium.crypto_box_PUBLICKEYBYTES}`)
  }
  const sealed = sodium.crypto_box_seal(sodium.from_string(value), publicKey)
  return sodium.to_base64(sealed, sodium.base64_variants.ORIGINAL)
}
