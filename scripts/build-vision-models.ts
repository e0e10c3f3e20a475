// Builds the MediaPipe Tasks models offline from the models that @mediapipe/hands and @mediapipe/face_detection ship
// on npm, so that @mediapipe/tasks-vision never downloads a model from Google at run time. Output in .cache/models:
// hand_landmarker.task and face_detector.tflite, rebuilt only when this script, the metadata schema or a source
// package version changes.
//
// The Tasks runtime refuses float models without TFLite metadata (it needs NormalizationOptions to feed the input),
// so each model gets a ModelMetadata flatbuffer, compiled by Debian's flatc from scripts/tflite-metadata.fbs and stored
// as the model's "TFLITE_METADATA" entry. The two hand models then go, uncompressed, into one zip: the .task bundle.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const handsDir = path.join(root, 'node_modules/@mediapipe/hands');
const faceDir = path.join(root, 'node_modules/@mediapipe/face_detection');
const schemaFile = path.join(root, 'scripts/tflite-metadata.fbs');
const outDir = path.join(root, '.cache/models');
const handOut = path.join(outDir, 'hand_landmarker.task');
const faceOut = path.join(outDir, 'face_detector.tflite');
const stampFile = path.join(outDir, 'stamp');
const log = (message: string) => console.log(`[vision-models] ${message}`);

/** What one model must look like, how its input is normalized, and the names its metadata gives its tensors. */
interface ModelSpec {
  /** File name: the entry inside the .task bundle, as the Tasks graph looks it up, or the output file. */
  entry: string;
  /** Short description stored in the metadata. */
  description: string;
  /** Expected input shape (NHWC, float32 RGB). */
  input: number[];
  /** Input normalization (x - mean) / std that the model was trained with. */
  normalization: { mean: number; std: number };
  /** Expected output shapes, in the model's order, with the names the metadata gives them. */
  outputs: { name: string; description: string; shape: number[] }[];
}

const handDetectorSpec: ModelSpec = {
  entry: 'hand_detector.tflite',
  description: 'Palm detector (MediaPipe palm_detection_full): SSD anchors over a 192x192 RGB image.',
  input: [1, 192, 192, 3],
  normalization: { mean: 0, std: 255 },
  outputs: [
    { name: 'regressors', description: 'Per anchor: box centre, size and 7 palm keypoints.', shape: [1, 2016, 18] },
    { name: 'classificators', description: 'Per anchor: palm score (logit).', shape: [1, 2016, 1] },
  ],
};

const handLandmarksSpec: ModelSpec = {
  entry: 'hand_landmarks_detector.tflite',
  description: 'Hand landmark model (MediaPipe hand_landmark_full): 21 landmarks from a 224x224 RGB hand crop.',
  input: [1, 224, 224, 3],
  normalization: { mean: 0, std: 255 },
  outputs: [
    { name: 'landmarks', description: '21 landmarks, x y z in crop pixels.', shape: [1, 63] },
    { name: 'hand_presence', description: 'Score that a hand is in the crop.', shape: [1, 1] },
    { name: 'handedness', description: 'Score of the label Right (of Left, Right).', shape: [1, 1] },
    { name: 'world_landmarks', description: '21 landmarks in metres around the hand centre.', shape: [1, 63] },
  ],
};

const faceDetectorSpec: ModelSpec = {
  entry: 'face_detector.tflite',
  description: 'Face detector (MediaPipe face_detection_short_range, BlazeFace): faces within about 2 m of the camera.',
  input: [1, 128, 128, 3],
  normalization: { mean: 127.5, std: 127.5 },
  outputs: [
    { name: 'regressors', description: 'Per anchor: box centre, size and 6 face keypoints.', shape: [1, 896, 16] },
    { name: 'classificators', description: 'Per anchor: face score (logit).', shape: [1, 896, 1] },
  ],
};

async function main(): Promise<void> {
  const handsVersion = await packageVersion(handsDir);
  const faceVersion = await packageVersion(faceDir);
  const key = createHash('sha256')
    .update(await readFile(fileURLToPath(import.meta.url)))
    .update(await readFile(schemaFile))
    .update(`${handsVersion} ${faceVersion}`)
    .digest('hex');
  const built = [handOut, faceOut, stampFile].every((file) => existsSync(file));
  if (built && (await readFile(stampFile, 'utf8')).trim() === key) {
    log(`up to date in ${path.relative(root, outDir)}`);
    return;
  }
  requireFlatc();
  const work = await mkdtemp(path.join(os.tmpdir(), 'vision-models-'));
  try {
    const handSource = `@mediapipe/hands ${handsVersion}`;
    const palm = await packedAsset('palm_detection_full.tflite');
    const landmarks = await readFile(path.join(handsDir, 'hand_landmark_full.tflite'));
    const bundle = storedZip([
      { name: handDetectorSpec.entry, data: await withSpec(palm, handDetectorSpec, handSource, work) },
      { name: handLandmarksSpec.entry, data: await withSpec(landmarks, handLandmarksSpec, handSource, work) },
    ]);
    const faceSource = `@mediapipe/face_detection ${faceVersion}`;
    const face = await withSpec(await readFile(path.join(faceDir, 'face_detection_short_range.tflite')), faceDetectorSpec, faceSource, work);
    await mkdir(outDir, { recursive: true });
    await writeAtomically(handOut, bundle);
    await writeAtomically(faceOut, face);
    await writeFile(stampFile, `${key}\n`);
    for (const [file, data, source] of [[handOut, bundle, handSource], [faceOut, face, faceSource]] as const) {
      const sha = createHash('sha256').update(data).digest('hex');
      log(`built ${path.relative(root, file)} from ${source}: ${data.length} bytes, sha256 ${sha}`);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function packageVersion(dir: string): Promise<string> {
  const file = path.join(dir, 'package.json');
  if (!existsSync(file)) throw new Error(`${path.relative(root, dir)} is missing: run "npm ci" first`);
  return (JSON.parse(await readFile(file, 'utf8')) as { version: string }).version;
}

async function writeAtomically(file: string, data: Buffer): Promise<void> {
  await writeFile(`${file}.tmp`, data);
  await rename(`${file}.tmp`, file);
}

/** The model with its metadata added, checked against the spec. */
async function withSpec(model: Buffer, spec: ModelSpec, source: string, work: string): Promise<Buffer> {
  const result = withMetadata(model, await compileMetadata(spec, source, work));
  checkModel(result, spec);
  return result;
}

function requireFlatc(): void {
  try {
    execFileSync('flatc', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error('flatc is missing: apt-get install flatbuffers-compiler');
  }
}

/** Cuts one file out of hands_solution_packed_assets.data, using the byte ranges its loader script lists. */
async function packedAsset(name: string): Promise<Buffer> {
  const loader = await readFile(path.join(handsDir, 'hands_solution_packed_assets_loader.js'), 'utf8');
  const pattern = new RegExp(`"filename":\\s*"[^"]*/${name.replace(/\./g, '\\.')}",\\s*"start":\\s*(\\d+),\\s*"end":\\s*(\\d+)`);
  const match = pattern.exec(loader);
  if (!match) throw new Error(`${name} is not listed in hands_solution_packed_assets_loader.js`);
  const data = await readFile(path.join(handsDir, 'hands_solution_packed_assets.data'));
  const [start, end] = [Number(match[1]), Number(match[2])];
  if (end > data.length) throw new Error(`${name}: range ${start}-${end} is past the end of the packed assets`);
  return data.subarray(start, end);
}

/** Writes the model's ModelMetadata as JSON and compiles it with flatc into the binary flatbuffer. */
async function compileMetadata(spec: ModelSpec, version: string, work: string): Promise<Buffer> {
  const base = path.basename(spec.entry, '.tflite');
  const metadata = {
    name: base,
    description: spec.description,
    version,
    author: 'MediaPipe (model); metadata by scripts/build-vision-models.ts',
    license: 'Apache-2.0',
    min_parser_version: '1.0.0',
    subgraph_metadata: [
      {
        input_tensor_metadata: [
          {
            name: 'image',
            description: `RGB image, values 0-255 normalized as (x - ${spec.normalization.mean}) / ${spec.normalization.std}.`,
            content: { content_properties_type: 'ImageProperties', content_properties: { color_space: 'RGB' } },
            process_units: [{ options_type: 'NormalizationOptions', options: { mean: [spec.normalization.mean], std: [spec.normalization.std] } }],
            stats: { max: [(255 - spec.normalization.mean) / spec.normalization.std], min: [-spec.normalization.mean / spec.normalization.std] },
          },
        ],
        output_tensor_metadata: spec.outputs.map(({ name, description }) => ({
          name,
          description,
          content: { content_properties_type: 'FeatureProperties', content_properties: {} },
        })),
      },
    ],
  };
  const json = path.join(work, `${base}.json`);
  await writeFile(json, JSON.stringify(metadata, null, 2));
  execFileSync('flatc', ['-b', '-o', work, schemaFile, json], { stdio: ['ignore', 'ignore', 'inherit'] });
  return readFile(path.join(work, `${base}.bin`));
}

/** Little-endian reads of a flatbuffer: tables through their vtables, references, vectors and strings. */
class FlatReader {
  constructor(readonly bytes: Buffer) {}

  /** Position of the root table. */
  root(): number {
    return this.bytes.readUInt32LE(0);
  }

  /** How many field slots the table's vtable has. */
  slots(table: number): number {
    return (this.bytes.readUInt16LE(this.vtable(table)) - 4) / 2;
  }

  /** Position of field `id` of the table, or undefined when the field is absent. */
  field(table: number, id: number): number | undefined {
    if (id >= this.slots(table)) return undefined;
    const offset = this.bytes.readUInt16LE(this.vtable(table) + 4 + 2 * id);
    return offset === 0 ? undefined : table + offset;
  }

  /** Follows the reference stored at `at`. */
  deref(at: number): number {
    return at + this.bytes.readUInt32LE(at);
  }

  /** Length and first element position of the vector referenced at `at`. */
  vector(at: number): { length: number; start: number } {
    const vector = this.deref(at);
    return { length: this.bytes.readUInt32LE(vector), start: vector + 4 };
  }

  /** The string referenced at `at`. */
  string(at: number): string {
    const { length, start } = this.vector(at);
    return this.bytes.toString('utf8', start, start + length);
  }

  private vtable(table: number): number {
    return table - this.bytes.readInt32LE(table);
  }
}

// tflite::Model field ids (tensorflow/lite/schema/schema.fbs); every one but `version` is a reference.
const MODEL_VERSION = 0;
const MODEL_SUBGRAPHS = 2;
const MODEL_BUFFERS = 4;
const MODEL_METADATA = 6;
const MODEL_KNOWN_SLOTS = 8;

/** Bytes laid out front to back, with references patched once every target's position is known. */
class FrontWriter {
  private readonly bytes: number[] = [];
  private readonly refs: { at: number; target: () => number }[] = [];

  /** Current end position. */
  get position(): number {
    return this.bytes.length;
  }

  /** Pads with zeros to a multiple of `alignment`. */
  align(alignment: number): void {
    while (this.bytes.length % alignment !== 0) this.bytes.push(0);
  }

  /** Appends an unsigned 16-bit value. */
  u16(value: number): void {
    this.bytes.push(value & 0xff, (value >>> 8) & 0xff);
  }

  /** Appends an unsigned 32-bit value. */
  u32(value: number): void {
    this.bytes.push(value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff);
  }

  /** Appends raw bytes. */
  raw(data: Uint8Array): void {
    for (const byte of data) this.bytes.push(byte);
  }

  /** Appends a reference to a later position, resolved when the bytes are taken. */
  ref(target: () => number): void {
    this.refs.push({ at: this.position, target });
    this.u32(0);
  }

  /**
   * Appends a table: its vtable, then the table with one 4-byte slot per present field (scalar or reference).
   * Returns the table's position.
   */
  table(fields: ({ u32: number } | { ref: () => number } | undefined)[]): number {
    const present = fields.filter((field) => field !== undefined).length;
    this.align(2);
    const vtable = this.position;
    this.u16(4 + 2 * fields.length);
    this.u16(4 + 4 * present);
    let offset = 4;
    for (const field of fields) {
      this.u16(field === undefined ? 0 : offset);
      if (field !== undefined) offset += 4;
    }
    this.align(4);
    const table = this.position;
    this.u32(table - vtable);
    for (const field of fields) {
      if (field === undefined) continue;
      if ('u32' in field) this.u32(field.u32);
      else this.ref(field.ref);
    }
    return table;
  }

  /** The bytes with every reference filled in; references must point forward, as flatbuffers require. */
  take(): Buffer {
    const out = Buffer.from(this.bytes);
    for (const { at, target } of this.refs) {
      const distance = target() - at;
      if (distance <= 0) throw new Error('internal: flatbuffer reference must point forward');
      out.writeUInt32LE(distance, at);
    }
    return out;
  }
}

/**
 * Returns the model with `metadata` stored as a new buffer and listed under the "TFLITE_METADATA" metadata entry.
 * Flatbuffer references only point forward, so the new root table, the longer buffers and metadata vectors and the
 * metadata itself go in front, and the original file follows unchanged, shifted by a multiple of 16 bytes so that
 * every weight keeps its alignment.
 */
function withMetadata(model: Buffer, metadata: Buffer): Buffer {
  const reader = new FlatReader(model);
  if (model.toString('latin1', 4, 8) !== 'TFL3') throw new Error('not a TFLite flatbuffer (no TFL3 identifier)');
  const oldRoot = reader.root();
  const slots = reader.slots(oldRoot);
  if (slots > MODEL_KNOWN_SLOTS) throw new Error(`tflite::Model has ${slots} fields; this script knows ${MODEL_KNOWN_SLOTS}`);
  const oldBuffers = reader.vector(requireField(reader.field(oldRoot, MODEL_BUFFERS), 'buffers'));
  const oldMetadataAt = reader.field(oldRoot, MODEL_METADATA);
  const oldMetadata = oldMetadataAt === undefined ? { length: 0, start: 0 } : reader.vector(oldMetadataAt);
  for (let i = 0; i < oldMetadata.length; i++) {
    const entry = reader.deref(oldMetadata.start + 4 * i);
    const name = reader.field(entry, 0);
    if (name !== undefined && reader.string(name) === 'TFLITE_METADATA') throw new Error('the model already has TFLITE_METADATA');
  }

  const front = new FrontWriter();
  let shift = 0;
  const old = (position: number) => () => shift + position;
  const oldElement = (vectorStart: number, index: number) => old(reader.deref(vectorStart + 4 * index));
  let buffersVector = 0;
  let metadataVector = 0;
  let entryName = 0;
  let bufferTable = 0;
  let dataVector = 0;

  front.ref(() => rootTable);
  front.raw(Buffer.from('TFL3', 'latin1'));
  const rootFields = Array.from({ length: Math.max(slots, MODEL_METADATA + 1) }, (_, id) => {
    if (id === MODEL_BUFFERS) return { ref: () => buffersVector };
    if (id === MODEL_METADATA) return { ref: () => metadataVector };
    const at = reader.field(oldRoot, id);
    if (at === undefined) return undefined;
    return id === MODEL_VERSION ? { u32: model.readUInt32LE(at) } : { ref: old(reader.deref(at)) };
  });
  const rootTable = front.table(rootFields);

  front.align(4);
  buffersVector = front.position;
  front.u32(oldBuffers.length + 1);
  for (let i = 0; i < oldBuffers.length; i++) front.ref(oldElement(oldBuffers.start, i));
  front.ref(() => bufferTable);

  metadataVector = front.position;
  front.u32(oldMetadata.length + 1);
  for (let i = 0; i < oldMetadata.length; i++) front.ref(oldElement(oldMetadata.start, i));
  front.ref(() => metadataEntry);

  // tflite::Metadata { name:string; buffer:uint; } pointing at the buffer appended last.
  const metadataEntry = front.table([{ ref: () => entryName }, { u32: oldBuffers.length }]);
  front.align(4);
  entryName = front.position;
  front.u32('TFLITE_METADATA'.length);
  front.raw(Buffer.from('TFLITE_METADATA\0', 'latin1'));

  // tflite::Buffer { data:[ubyte]; } with the data itself 16-byte aligned, like the model's other buffers.
  bufferTable = front.table([{ ref: () => dataVector }]);
  while ((front.position + 4) % 16 !== 0) front.u32(0);
  dataVector = front.position;
  front.u32(metadata.length);
  front.raw(metadata);
  front.align(16);
  shift = front.position;
  return Buffer.concat([front.take(), model]);
}

function requireField(at: number | undefined, name: string): number {
  if (at === undefined) throw new Error(`tflite::Model has no ${name}`);
  return at;
}

/** Reads the finished model back: input and output shapes as expected, metadata entry present and well formed. */
function checkModel(model: Buffer, spec: ModelSpec): void {
  const entry = spec.entry;
  const reader = new FlatReader(model);
  const rootTable = reader.root();
  const subgraphs = reader.vector(requireField(reader.field(rootTable, MODEL_SUBGRAPHS), 'subgraphs'));
  const subgraph = reader.deref(subgraphs.start);
  const tensors = reader.vector(requireField(reader.field(subgraph, 0), 'tensors'));
  const shapes = (fieldId: number) => {
    const list = reader.vector(requireField(reader.field(subgraph, fieldId), 'inputs/outputs'));
    return Array.from({ length: list.length }, (_, i) => {
      const tensor = reader.deref(tensors.start + 4 * model.readInt32LE(list.start + 4 * i));
      const shape = reader.vector(requireField(reader.field(tensor, 0), 'shape'));
      return Array.from({ length: shape.length }, (__, k) => model.readInt32LE(shape.start + 4 * k));
    });
  };
  const same = (a: number[][], b: number[][]) => JSON.stringify(a) === JSON.stringify(b);
  if (!same(shapes(1), [spec.input])) throw new Error(`${entry}: input ${JSON.stringify(shapes(1))}, expected ${JSON.stringify([spec.input])}`);
  const outputs = spec.outputs.map((output) => output.shape);
  if (!same(shapes(2), outputs)) throw new Error(`${entry}: outputs ${JSON.stringify(shapes(2))}, expected ${JSON.stringify(outputs)}`);

  const metadata = reader.vector(requireField(reader.field(rootTable, MODEL_METADATA), 'metadata'));
  const buffers = reader.vector(requireField(reader.field(rootTable, MODEL_BUFFERS), 'buffers'));
  for (let i = 0; i < metadata.length; i++) {
    const item = reader.deref(metadata.start + 4 * i);
    if (reader.string(requireField(reader.field(item, 0), 'metadata name')) !== 'TFLITE_METADATA') continue;
    const buffer = reader.deref(buffers.start + 4 * model.readUInt32LE(requireField(reader.field(item, 1), 'metadata buffer')));
    const data = reader.vector(requireField(reader.field(buffer, 0), 'buffer data'));
    if (model.toString('latin1', data.start + 4, data.start + 8) !== 'M001') throw new Error(`${entry}: metadata lacks the M001 identifier`);
    return;
  }
  throw new Error(`${entry}: no TFLITE_METADATA entry`);
}

/**
 * A zip of uncompressed entries whose data starts on 64-byte boundaries: the Tasks runtime reads the models in
 * place from the bundle. Fixed timestamps keep the output byte-for-byte reproducible.
 */
function storedZip(entries: { name: string; data: Buffer }[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  const dosDate = (1 << 5) | 1; // 1980-01-01, the zip epoch
  for (const { name, data } of entries) {
    const nameBytes = Buffer.from(name, 'utf8');
    // The fields a local header and its central directory record share: version needed 1.0, no flags, stored.
    const fields = Buffer.alloc(24);
    fields.writeUInt16LE(10, 0);
    fields.writeUInt16LE(dosDate, 8);
    fields.writeUInt32LE(crc32(data), 10);
    fields.writeUInt32LE(data.length, 14);
    fields.writeUInt32LE(data.length, 18);
    fields.writeUInt16LE(nameBytes.length, 22);
    // Padding goes in an extra field (id 0xd935, as Android's zipalign writes), so readers skip it.
    const padding = (64 - ((offset + 30 + nameBytes.length + 6) % 64)) % 64;
    const extra = Buffer.alloc(6 + padding);
    extra.writeUInt16LE(0xd935, 0);
    extra.writeUInt16LE(2 + padding, 2);
    extra.writeUInt16LE(64, 4);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    fields.copy(local, 4);
    local.writeUInt16LE(extra.length, 28);
    const record = Buffer.alloc(46);
    record.writeUInt32LE(0x02014b50, 0);
    record.writeUInt16LE(20, 4);
    fields.copy(record, 6);
    record.writeUInt32LE(offset, 42);
    central.push(record, nameBytes);
    parts.push(local, nameBytes, extra, data);
    offset += local.length + nameBytes.length + extra.length + data.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, directory, end]);
}

await main();
