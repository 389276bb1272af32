// A forward proxy on loopback, as a corporate network puts in front of a self-hosted runner: plain
// HTTP requests in absolute form are relayed, HTTPS goes through a CONNECT tunnel. It records what
// passed through it. Every host name ending in .localhost is served by 127.0.0.1 (RFC 6761), which
// this machine's resolver does not know: only through the proxy do such names reach anything.
import http from 'node:http'
import net, { type AddressInfo } from 'node:net'

export class ForwardProxy {
  /** `GET http://host/path` for relayed requests, `CONNECT host:port` for tunnels. */
  readonly seen: string[] = []
  private constructor(private readonly server: http.Server) {}

  static async start(): Promise<ForwardProxy> {
    const proxy = new ForwardProxy(http.createServer())
    proxy.server.on('request', (request, response) => {
      proxy.seen.push(`${request.method} ${request.url}`)
      const upstream = http.request(
        onLoopback(request.url ?? ''),
        { method: request.method, headers: request.headers },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers)
          answer.pipe(response)
        }
      )
      upstream.on('error', () => response.writeHead(502).end())
      request.pipe(upstream)
    })
    proxy.server.on('connect', (request: http.IncomingMessage, client: net.Socket, head: Buffer) => {
      proxy.seen.push(`CONNECT ${request.url}`)
      const [host = '', port] = (request.url ?? '').split(':')
      const upstream = net.connect(Number(port), host.endsWith('.localhost') ? '127.0.0.1' : host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
        upstream.write(head)
        upstream.pipe(client)
        client.pipe(upstream)
      })
      upstream.on('error', () => client.destroy())
      client.on('error', () => upstream.destroy())
    })
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve))
    return proxy
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise((resolve) => this.server.close(resolve))
  }
}

function onLoopback(url: string): string {
  const target = new URL(url)
  if (target.hostname.endsWith('.localhost')) target.hostname = '127.0.0.1'
  return target.toString()
}
