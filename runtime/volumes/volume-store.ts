// Named volumes: data that outlives containers. On Node a volume is a directory under the berth
// root, mounted into containers like a bind mount; in the browser it can be an UpperLayer.

export interface Volume {
  CreatedAt: string;
  Driver: string;
  Labels: Record<string, string>;
  Mountpoint: string;
  Name: string;
  Options: Record<string, string>;
  Scope: string;
}

export interface VolumeStore {
  create(name: string | undefined, labels?: Record<string, string>): Promise<Volume>;
  get(name: string): Promise<Volume | undefined>;
  list(): Promise<Volume[]>;
  remove(name: string): Promise<void>;
  /** Bytes used (for `system df`). */
  size(name: string): Promise<number>;
}

export const validVolumeName = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
