import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as tar from 'tar';
import { z } from 'zod';

export const MANIFEST_NAME = 'manifest.json';
export const BACKUP_PARTS = ['orders', 'inventory', 'extra', 'globals'] as const;
export type BackupPart = (typeof BACKUP_PARTS)[number];
export const ARCHIVE_FORMAT = 'valerix-backup/1';

const ManifestSchema = z.object({
  format: z.literal(ARCHIVE_FORMAT),
  /** The UTC day this archive is the backup of. */
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  createdAt: z.string().datetime(),
  serverVersion: z.string(),
  dumpTool: z.string(),
  files: z
    .array(
      z.object({
        name: z.string().regex(/^[a-z0-9_]+\.(dump|sql)$/),
        /** What the file holds: one of the two Valerix databases, another database, or the roles. */
        part: z.enum(BACKUP_PARTS),
        /** The database a dump was taken of (every part but `globals`). */
        database: z.string().optional(),
        bytes: z.number().int().nonnegative(),
        sha256: z.string().regex(/^[0-9a-f]{64}$/),
      }),
    )
    .min(1),
});
export type Manifest = z.infer<typeof ManifestSchema>;
export type ManifestFile = Manifest['files'][number];

/** A backup archive that must not be restored: its checksum, its manifest or one of its files is wrong. */
export class ArchiveInvalid extends Error {
  override name = 'ArchiveInvalid';
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function describeFile(dir: string, name: string, part: BackupPart, database?: string): Promise<ManifestFile> {
  const file = path.join(dir, name);
  return { name, part, database, bytes: fs.statSync(file).size, sha256: await sha256File(file) };
}

/** Writes `<dir>/manifest.json` and packs it first, then the files it lists, into one gzip-compressed tar. */
export async function writeArchive(dir: string, manifest: Manifest, archiveFile: string): Promise<void> {
  fs.writeFileSync(path.join(dir, MANIFEST_NAME), `${JSON.stringify(ManifestSchema.parse(manifest), null, 2)}\n`);
  await tar.create({ gzip: true, file: archiveFile, cwd: dir, portable: true }, [
    MANIFEST_NAME,
    ...manifest.files.map((file) => file.name),
  ]);
}

/**
 * Unpacks into an empty `dir` and checks everything against the manifest: no file missing or
 * extra, each one's size and sha256. A truncated or corrupted archive throws ArchiveInvalid.
 */
export async function readArchive(archiveFile: string, dir: string): Promise<Manifest> {
  try {
    await tar.extract({ file: archiveFile, cwd: dir, strict: true });
  } catch (err) {
    throw new ArchiveInvalid(`cannot unpack ${path.basename(archiveFile)}: ${(err as Error).message}`);
  }
  const manifestFile = path.join(dir, MANIFEST_NAME);
  if (!fs.existsSync(manifestFile)) throw new ArchiveInvalid(`no ${MANIFEST_NAME} in the archive`);
  let manifest: Manifest;
  try {
    manifest = ManifestSchema.parse(JSON.parse(fs.readFileSync(manifestFile, 'utf8')));
  } catch (err) {
    throw new ArchiveInvalid(`${MANIFEST_NAME} is not a ${ARCHIVE_FORMAT} manifest: ${(err as Error).message}`);
  }
  const present = fs.readdirSync(dir).filter((name) => name !== MANIFEST_NAME);
  const listed = manifest.files.map((file) => file.name);
  const unlisted = present.filter((name) => !listed.includes(name));
  if (unlisted.length) throw new ArchiveInvalid(`files not in the manifest: ${unlisted.join(', ')}`);
  for (const expected of manifest.files) {
    if (!present.includes(expected.name)) throw new ArchiveInvalid(`${expected.name}: listed in the manifest, missing from the archive`);
    const actual = await describeFile(dir, expected.name, expected.part, expected.database);
    if (actual.bytes !== expected.bytes)
      throw new ArchiveInvalid(`${expected.name}: ${actual.bytes} bytes, the manifest says ${expected.bytes}`);
    if (actual.sha256 !== expected.sha256)
      throw new ArchiveInvalid(`${expected.name}: sha256 ${actual.sha256}, the manifest says ${expected.sha256}`);
  }
  return manifest;
}
