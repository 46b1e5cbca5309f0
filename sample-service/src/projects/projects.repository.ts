import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type Database } from '../database/database.js';
import type { Project, ProjectInput } from './project.dto.js';

interface ProjectRow {
  id: string;
  name: string;
  description: string;
  created_at: Date | string;
  updated_at: Date | string;
}

const COLUMNS = 'id, name, description, created_at, updated_at';

@Injectable()
export class ProjectsRepository {
  constructor(@Inject(DATABASE) private readonly database: Database) {}

  async list(limit: number, offset: number): Promise<Project[]> {
    const rows = await this.database.query<ProjectRow>(
      `SELECT ${COLUMNS} FROM projects ORDER BY created_at, id LIMIT $1 OFFSET $2`,
      [limit, offset],
    );
    return rows.map(toProject);
  }

  async get(id: string): Promise<Project | undefined> {
    const rows = await this.database.query<ProjectRow>(`SELECT ${COLUMNS} FROM projects WHERE id = $1`, [id]);
    return rows.map(toProject)[0];
  }

  async create(input: ProjectInput): Promise<Project> {
    const rows = await this.database.query<ProjectRow>(
      `INSERT INTO projects (name, description) VALUES ($1, $2) RETURNING ${COLUMNS}`,
      [input.name, input.description ?? ''],
    );
    return toProject(rows[0]);
  }

  async update(id: string, input: ProjectInput): Promise<Project | undefined> {
    const rows = await this.database.query<ProjectRow>(
      `UPDATE projects SET name = $2, description = $3, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, input.name, input.description ?? ''],
    );
    return rows.map(toProject)[0];
  }

  async delete(id: string): Promise<boolean> {
    const rows = await this.database.query<{ id: string }>('DELETE FROM projects WHERE id = $1 RETURNING id', [id]);
    return rows.length > 0;
  }
}

function toProject(row: ProjectRow): Project {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}
