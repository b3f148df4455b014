// The three.js pieces the LiftedGan.NET viewer uses, bundled into one classic script (global THREE) that also runs from file://.
export {
  WebGLRenderer, Scene, PerspectiveCamera, BufferGeometry, BufferAttribute, Mesh, MeshLambertMaterial, Texture,
  AmbientLight, DirectionalLight, Group, Color, DoubleSide, LinearSRGBColorSpace, NoColorSpace, REVISION,
} from 'three';
export { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
