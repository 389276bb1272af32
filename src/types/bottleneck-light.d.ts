// bottleneck/light.js is Bottleneck without its Redis clustering, as the Octokit plugins load it.
declare module 'bottleneck/light.js' {
  import Bottleneck from 'bottleneck'
  export default Bottleneck
}
