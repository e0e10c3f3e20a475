import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { detectSherpaModel } from '../../../server/captions/sherpa/sherpaModel.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'asr-model-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const files = (...names: string[]) => Promise.all(names.map((name) => writeFile(path.join(dir, name), '')));

describe('the model layout of ASR_MODEL_DIR', () => {
  it('finds a transducer, taking the int8 files when float ones sit beside them', async () => {
    await files('tokens.txt', 'encoder-epoch-99-avg-1.onnx', 'encoder-epoch-99-avg-1.int8.onnx', 'decoder-epoch-99-avg-1.onnx', 'joiner-epoch-99-avg-1.int8.onnx', 'bpe.model', 'README.md');
    expect(detectSherpaModel(dir)).toEqual({
      layout: 'transducer',
      dir,
      encoder: path.join(dir, 'encoder-epoch-99-avg-1.int8.onnx'),
      decoder: path.join(dir, 'decoder-epoch-99-avg-1.onnx'),
      joiner: path.join(dir, 'joiner-epoch-99-avg-1.int8.onnx'),
      tokens: path.join(dir, 'tokens.txt'),
    });
  });

  it('finds a paraformer: an encoder and a decoder, no joiner', async () => {
    await files('tokens.txt', 'encoder.onnx', 'decoder.onnx');
    expect(detectSherpaModel(dir)).toMatchObject({ layout: 'paraformer', encoder: path.join(dir, 'encoder.onnx'), decoder: path.join(dir, 'decoder.onnx') });
  });

  it('finds a zipformer2 CTC model: one network', async () => {
    await files('tokens.txt', 'ctc-epoch-20-avg-1-chunk-16-left-128.onnx');
    expect(detectSherpaModel(dir)).toMatchObject({ layout: 'zipformer2-ctc', model: path.join(dir, 'ctc-epoch-20-avg-1-chunk-16-left-128.onnx') });
  });

  it('says which directory is missing', () => {
    expect(() => detectSherpaModel(path.join(dir, 'nowhere'))).toThrow(/ASR_MODEL_DIR .*nowhere cannot be read \(ENOENT.*tokens\.txt and either encoder/);
  });

  it('says so when ASR_MODEL_DIR is a file', async () => {
    await files('model.onnx');
    expect(() => detectSherpaModel(path.join(dir, 'model.onnx'))).toThrow(/cannot be read \(not a directory\)/);
  });

  it('says tokens.txt is missing, and lists what is there', async () => {
    await files('encoder.onnx', 'decoder.onnx', 'joiner.onnx');
    expect(() => detectSherpaModel(dir)).toThrow(/has no tokens\.txt.*found: decoder\.onnx, encoder\.onnx, joiner\.onnx/);
  });

  it('names the missing parts of an incomplete model', async () => {
    await files('tokens.txt', 'joiner.onnx');
    expect(() => detectSherpaModel(dir)).toThrow(/incomplete model: no encoder\*\.onnx or decoder\*\.onnx/);
  });

  it('says there is no model when there is no .onnx file', async () => {
    await files('tokens.txt');
    expect(() => detectSherpaModel(dir)).toThrow(/has no \.onnx model/);
  });

  it('refuses to guess between two models of the same kind', async () => {
    await files('tokens.txt', 'encoder-epoch-30.onnx', 'encoder-epoch-99.onnx', 'decoder.onnx', 'joiner.onnx');
    expect(() => detectSherpaModel(dir)).toThrow(/several encoder files \(encoder-epoch-30\.onnx, encoder-epoch-99\.onnx\): keep one/);
  });
});
