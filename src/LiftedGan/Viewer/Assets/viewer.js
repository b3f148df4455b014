// LiftedGan.NET viewer: the lifted face's mesh (the binary glTF the library exports) drawn with three.js, orbited with
// the mouse, turned by the yaw and pitch sliders and relit in the shader with the renderer's Lambertian model
// (ambient + diffuse · max(0, n·l) on the de-lit albedo). config.js sets window.LIFTEDGAN_VIEWER:
//   static mode: {mode: "static", faces: [...]}, the faces exported beside the page; each GLB is also a script,
//                because a page opened from disk (file://) may not read files;
//   server mode: {mode: "server", seed: N}, faces made on demand by `liftedgan view` (GET api/face?seed=N).
// The query string may set seed, yaw, pitch, lightx and lighty. window.liftedViewer tells tests where it stands.
(function () {
  'use strict';

  const config = window.LIFTEDGAN_VIEWER;
  const element = (id) => document.getElementById(id);
  const state = { ready: false, seed: null, error: null, renders: 0 };
  window.liftedViewer = state;

  const sliders = { yaw: element('yaw'), pitch: element('pitch'), lightX: element('light-x'), lightY: element('light-y') };
  const query = new URLSearchParams(window.location.search);
  const maxSeed = Number.MAX_SAFE_INTEGER;

  function say(text, isError) {
    const status = element('status');
    status.textContent = text;
    status.className = isError ? 'error' : '';
    if (isError) state.error = text;
  }

  if (!config || !window.THREE) {
    say('The page is missing config.js or three-viewer.min.js beside it.', true);
    return;
  }

  // Scene: the renderer's camera (field of view, distance to the rotation centre), the mesh turned about that centre.
  let renderer;
  try {
    renderer = new THREE.WebGLRenderer({ canvas: element('view'), antialias: true });
  } catch (e) {
    say('WebGL is not available in this browser, so the mesh cannot be drawn; the downloads still work.', true);
    return;
  }
  // Texture bytes in, pixel values out, as in our renderer (no colour-space conversion, no tone mapping).
  renderer.outputColorSpace = THREE.LinearSRGBColorSpace;
  renderer.setPixelRatio(1);
  const scene = new THREE.Scene();
  scene.background = new THREE.Color().setRGB(0.93, 0.93, 0.93, THREE.LinearSRGBColorSpace);
  const camera = new THREE.PerspectiveCamera(10, 1, 0.01, 100);
  const controls = new THREE.OrbitControls(camera, renderer.domElement);
  controls.minDistance = 0.2;
  controls.maxDistance = 6;
  controls.addEventListener('change', render);
  const pivot = new THREE.Group();
  scene.add(pivot);
  // three.js lights divide by π (physically based units): intensity π·a gives a times the albedo.
  const ambient = new THREE.AmbientLight(0xffffff, Math.PI * 0.5);
  const sun = new THREE.DirectionalLight(0xffffff, Math.PI * 0.5);
  scene.add(ambient, sun);
  let mesh = null;
  let face = null;
  let first = true;

  function resize() {
    const canvas = renderer.domElement;
    renderer.setSize(canvas.clientWidth || 512, canvas.clientHeight || 512, false);
    camera.aspect = (canvas.clientWidth || 512) / (canvas.clientHeight || 512);
    camera.updateProjectionMatrix();
    render();
  }

  function render() {
    renderer.render(scene, camera);
    state.renders += 1;
  }

  // On the renderer's axis with its field of view, a little farther than its camera so that the whole mesh is in view.
  function homeCamera() {
    const distance = 1.6 * (face ? face.camera.centerDepth : 1);
    camera.fov = face ? face.camera.fieldOfView : 10;
    camera.position.set(0, 0, distance);
    controls.target.set(0, 0, 0);
    camera.updateProjectionMatrix();
    controls.update();
  }

  function radians(input) {
    return Number(input.value) * Math.PI / 180;
  }

  // Yaw turns the face towards the image's right, pitch upwards; the light stays fixed to the first view.
  function applySliders() {
    pivot.rotation.set(-radians(sliders.pitch), radians(sliders.yaw), 0);
    sun.position.set(Math.tan(radians(sliders.lightX)), Math.tan(radians(sliders.lightY)), 1).normalize();
    for (const input of Object.values(sliders)) element(input.id + '-value').textContent = input.value + '°';
    render();
  }

  function setSlider(input, value) {
    const limited = Math.min(Number(input.max), Math.max(Number(input.min), Math.round(value)));
    input.value = String(limited);
  }

  function fromQuery(name, input, fallback) {
    const value = query.get(name);
    setSlider(input, value !== null && value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : fallback);
  }

  // Binary glTF as the library writes it: one mesh, one primitive, tightly packed float attributes, one PNG image.
  function parseGlb(bytes) {
    const data = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (bytes.byteLength < 20 || data.getUint32(0, true) !== 0x46546c67) throw new Error('not a binary glTF file');
    let gltf = null;
    let bin = null;
    for (let at = 12; at + 8 <= bytes.byteLength;) {
      const length = data.getUint32(at, true);
      const type = data.getUint32(at + 4, true);
      const chunk = bytes.subarray(at + 8, at + 8 + length);
      if (type === 0x4e4f534a) gltf = JSON.parse(new TextDecoder().decode(chunk));
      else if (type === 0x004e4942) bin = chunk;
      at += 8 + length;
    }
    if (!gltf || !bin) throw new Error('binary glTF without its JSON or binary chunk');
    const viewBytes = (index) => {
      const view = gltf.bufferViews[index];
      const start = view.byteOffset || 0;
      return bin.subarray(start, start + view.byteLength);
    };
    const widths = { SCALAR: 1, VEC2: 2, VEC3: 3, VEC4: 4 };
    const arrays = { 5126: Float32Array, 5125: Uint32Array, 5123: Uint16Array };
    const accessor = (index) => {
      const a = gltf.accessors[index];
      const Type = arrays[a.componentType];
      if (!Type) throw new Error('unsupported glTF component type ' + a.componentType);
      const start = a.byteOffset || 0;
      // A copy: typed arrays need aligned offsets, the chunk's views need not be.
      return new Type(viewBytes(a.bufferView).slice(start, start + a.count * widths[a.type] * Type.BYTES_PER_ELEMENT).buffer);
    };
    const primitive = gltf.meshes[0].primitives[0];
    const image = gltf.images[0];
    return {
      position: accessor(primitive.attributes.POSITION),
      normal: accessor(primitive.attributes.NORMAL),
      uv: accessor(primitive.attributes.TEXCOORD_0),
      index: accessor(primitive.indices),
      image: new Blob([viewBytes(image.bufferView)], { type: image.mimeType || 'image/png' }),
    };
  }

  function loadScript(src) {
    return new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = src;
      script.onload = resolve;
      script.onerror = () => reject(new Error('cannot load ' + src));
      document.head.appendChild(script);
    });
  }

  function base64Bytes(text) {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }

  async function describe(seed) {
    if (config.mode === 'static') {
      const found = config.faces.find((f) => f.seed === seed);
      if (!found) throw new Error('seed ' + seed + ' was not exported with this page (it has ' + seedList() + '); `liftedgan view` makes any seed');
      return found;
    }
    const response = await fetch('api/face?seed=' + seed);
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(body.error || 'the server answered ' + response.status);
    return body;
  }

  async function glbBytes(described) {
    if (config.mode === 'static') {
      const key = String(described.seed);
      if (!(window.LIFTEDGAN_GLB && key in window.LIFTEDGAN_GLB)) await loadScript(described.files.glbScript);
      return base64Bytes(window.LIFTEDGAN_GLB[key]);
    }
    const response = await fetch(described.files.glb);
    if (!response.ok) throw new Error(described.files.glb + ': the server answered ' + response.status);
    return new Uint8Array(await response.arrayBuffer());
  }

  function replaceMesh(glb, bitmap, described) {
    const texture = new THREE.Texture(bitmap);
    texture.flipY = false; // glTF texture coordinates: v = 0 at the image's top row
    texture.colorSpace = THREE.NoColorSpace;
    texture.needsUpdate = true;
    const geometry = new THREE.BufferGeometry();
    geometry.setAttribute('position', new THREE.BufferAttribute(glb.position, 3));
    geometry.setAttribute('normal', new THREE.BufferAttribute(glb.normal, 3));
    geometry.setAttribute('uv', new THREE.BufferAttribute(glb.uv, 2));
    geometry.setIndex(new THREE.BufferAttribute(glb.index, 1));
    // The mesh is in camera units in front of the camera at z = −depth; the rotation centre becomes the origin.
    geometry.translate(0, 0, described.camera.centerDepth);
    const material = new THREE.MeshLambertMaterial({ map: texture, side: THREE.DoubleSide });
    if (mesh) {
      pivot.remove(mesh);
      mesh.geometry.dispose();
      mesh.material.map.image.close();
      mesh.material.map.dispose();
      mesh.material.dispose();
    }
    mesh = new THREE.Mesh(geometry, material);
    pivot.add(mesh);
  }

  function link(id, href, name) {
    const a = element(id);
    a.href = href;
    a.download = name;
  }

  function showFacts(described) {
    const seed = described.seed;
    const files = described.files;
    link('download-glb', files.glb, 'face-seed' + seed + '.glb');
    link('download-obj', files.obj, files.obj.split('/').pop());
    link('download-mtl', files.mtl, files.mtl.split('/').pop());
    link('download-texture', files.texture, files.texture.split('/').pop());
    link('download-ply', files.ply, 'face-seed' + seed + '.ply');
    element('teacher').src = files.teacher;
    element('lifted').src = files.lifted;
    element('facts').textContent = 'seed ' + seed + ': ' + described.vertices.toLocaleString('en') + ' vertices, ' +
      described.triangles.toLocaleString('en') + ' triangles; predicted light: ambient ' + described.light.ambient.toFixed(2) +
      ', diffuse ' + described.light.diffuse.toFixed(2) + ', from ' + Math.round(described.light.horizontal) + '° right, ' +
      Math.round(described.light.vertical) + '° up.';
    element('seed').value = String(seed);
  }

  function lightFromFace() {
    setSlider(sliders.lightX, face.light.horizontal);
    setSlider(sliders.lightY, face.light.vertical);
  }

  let busy = false;
  async function show(seed) {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      say('The seed must be a whole number from 0 to ' + maxSeed + '.', true);
      return;
    }
    if (busy) return;
    busy = true;
    say('loading the face of seed ' + seed + (config.mode === 'server' ? ' (the server makes it on first use)…' : '…'));
    try {
      const described = await describe(seed);
      const glb = parseGlb(await glbBytes(described));
      const bitmap = await createImageBitmap(glb.image);
      face = described;
      replaceMesh(glb, bitmap, described);
      ambient.intensity = Math.PI * face.light.ambient;
      sun.intensity = Math.PI * face.light.diffuse;
      if (first) {
        homeCamera();
        fromQuery('yaw', sliders.yaw, 0);
        fromQuery('pitch', sliders.pitch, 0);
        fromQuery('lightx', sliders.lightX, face.light.horizontal);
        fromQuery('lighty', sliders.lightY, face.light.vertical);
        first = false;
      }
      showFacts(described);
      applySliders();
      state.seed = seed;
      state.error = null;
      state.ready = true;
      say('seed ' + seed);
    } catch (e) {
      say(String(e.message || e), true);
    } finally {
      busy = false;
    }
  }

  function seedList() {
    return config.faces.map((f) => f.seed).join(', ');
  }

  function next() {
    const current = state.seed === null ? Number(element('seed').value) : state.seed;
    if (config.mode === 'static') {
      const seeds = config.faces.map((f) => f.seed);
      show(seeds[(seeds.indexOf(current) + 1) % seeds.length]);
    } else {
      show(current >= maxSeed ? 0 : current + 1);
    }
  }

  for (const input of Object.values(sliders)) input.addEventListener('input', applySliders);
  element('show').addEventListener('click', () => show(Number(element('seed').value)));
  element('seed').addEventListener('keydown', (e) => { if (e.key === 'Enter') show(Number(element('seed').value)); });
  element('next').addEventListener('click', next);
  element('reset').addEventListener('click', () => {
    setSlider(sliders.yaw, 0);
    setSlider(sliders.pitch, 0);
    if (face) lightFromFace();
    homeCamera();
    applySliders();
  });
  window.addEventListener('resize', resize);

  if (config.mode === 'static') {
    element('mode-note').textContent = 'A static page: ' + config.faces.length + ' faces exported with it, shaded in your browser. `liftedgan view` serves any seed.';
    element('seeds-note').textContent = 'Faces on this page: seeds ' + seedList() + '.';
  } else {
    element('mode-note').textContent = 'Served by liftedgan view: any seed is made on demand.';
    element('seeds-note').textContent = 'Any seed from 0 to ' + maxSeed + '.';
  }
  resize();
  const asked = query.get('seed');
  const start = asked !== null && asked.trim() !== '' ? Number(asked) : (config.mode === 'static' ? config.faces[0].seed : config.seed);
  show(start);
})();
