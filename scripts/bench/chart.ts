// The fan-out chart as plain SVG, written by code: wall time against destination count, log-log,
// one line per latency / concurrency series.
export interface Series {
  label: string
  points: Array<{ x: number; y: number }>
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b']

export function lineChart(
  series: Series[],
  options: { title: string; xLabel: string; yLabel: string; targets?: Array<{ x: number; y: number; label: string }> }
): string {
  const width = 720
  const height = 440
  const m = { left: 70, right: 190, top: 40, bottom: 55 }
  const all = series.flatMap((s) => s.points).filter((p) => p.x > 0 && p.y > 0)
  const xs = all.map((p) => p.x)
  const ys = [...all.map((p) => p.y), ...(options.targets ?? []).map((t) => t.y)]
  const x0 = Math.log10(Math.min(...xs, 1))
  const x1 = Math.log10(Math.max(...xs, 10))
  const y0 = Math.floor(Math.log10(Math.min(...ys)))
  const y1 = Math.ceil(Math.log10(Math.max(...ys)))
  const px = (x: number): number => m.left + ((Math.log10(x) - x0) / (x1 - x0 || 1)) * (width - m.left - m.right)
  const py = (y: number): number =>
    height - m.bottom - ((Math.log10(y) - y0) / (y1 - y0 || 1)) * (height - m.top - m.bottom)
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
  const out: string[] = []
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`
  )
  out.push(`<rect width="${width}" height="${height}" fill="#fff"/>`)
  out.push(
    `<text x="${width / 2 - m.right / 2 + m.left / 2}" y="22" text-anchor="middle" font-size="15">${esc(options.title)}</text>`
  )
  // Grid and ticks.
  for (let e = Math.floor(x0); e <= Math.ceil(x1); e++) {
    const x = 10 ** e
    if (Math.log10(x) < x0 - 1e-9 || Math.log10(x) > x1 + 1e-9) continue
    out.push(`<line x1="${px(x)}" y1="${m.top}" x2="${px(x)}" y2="${height - m.bottom}" stroke="#ddd"/>`)
    out.push(`<text x="${px(x)}" y="${height - m.bottom + 18}" text-anchor="middle">${x}</text>`)
  }
  for (let e = y0; e <= y1; e++) {
    for (const f of [1, 2, 5]) {
      const y = f * 10 ** e
      if (Math.log10(y) > y1 + 1e-9) continue
      out.push(
        `<line x1="${m.left}" y1="${py(y)}" x2="${width - m.right}" y2="${py(y)}" stroke="${f === 1 ? '#ccc' : '#eee'}"/>`
      )
      out.push(`<text x="${m.left - 6}" y="${py(y) + 4}" text-anchor="end">${y >= 1 ? y : y.toPrecision(1)}</text>`)
    }
  }
  out.push(
    `<rect x="${m.left}" y="${m.top}" width="${width - m.left - m.right}" height="${height - m.top - m.bottom}" fill="none" stroke="#333"/>`
  )
  out.push(
    `<text x="${(m.left + width - m.right) / 2}" y="${height - 15}" text-anchor="middle">${esc(options.xLabel)}</text>`
  )
  out.push(
    `<text transform="translate(18 ${(m.top + height - m.bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(options.yLabel)}</text>`
  )
  for (const t of options.targets ?? []) {
    out.push(`<g fill="none" stroke="#000" stroke-dasharray="3 3"><circle cx="${px(t.x)}" cy="${py(t.y)}" r="7"/></g>`)
    out.push(`<text x="${px(t.x) + 10}" y="${py(t.y) - 8}" font-size="11">${esc(t.label)}</text>`)
  }
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length] as string
    const pts = s.points.filter((p) => p.x > 0 && p.y > 0).sort((a, b) => a.x - b.x)
    if (pts.length > 1)
      out.push(
        `<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.map((p) => `${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(' ')}"/>`
      )
    for (const p of pts)
      out.push(`<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="3.5" fill="${color}"/>`)
    const ly = m.top + 10 + i * 20
    out.push(
      `<line x1="${width - m.right + 15}" y1="${ly}" x2="${width - m.right + 40}" y2="${ly}" stroke="${color}" stroke-width="2"/>`
    )
    out.push(`<text x="${width - m.right + 46}" y="${ly + 4}">${esc(s.label)}</text>`)
  })
  out.push('</svg>')
  return out.join('\n') + '\n'
}
