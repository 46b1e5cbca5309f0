import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type Database } from '../database/database.js';
import { PROJECT_FIELDS, type CreateProjectInput, type Project, type UpdateProjectInput } from './project.dto.js';

interface ProjectRow {
  id: string;
  title: string;
  description: string | null;
  url: string | null;
  github: string | null;
  technologies: string[] | null;
  created_at: Date | string;
  updated_at: Date | string;
}

const COLUMNS = 'id, title, description, url, github, technologies, created_at, updated_at';

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

  async create(input: CreateProjectInput): Promise<Project> {
    const rows = await this.database.query<ProjectRow>(
      `INSERT INTO projects (title, description, url, github, technologies)
       VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
      [input.title, input.description ?? null, input.url ?? null, input.github ?? null, input.technologies ?? []],
    );
    return toProject(rows[0]);
  }

  /** Sets only the fields the body names; null clears one (technologies to an empty list). */
  async update(id: string, input: UpdateProjectInput): Promise<Project | undefined> {
    const assignments: string[] = [];
    const params: unknown[] = [id];
    for (const field of PROJECT_FIELDS) {
      const value = input[field];
      if (value === undefined) continue;
      params.push(field === 'technologies' ? (value ?? []) : value);
      assignments.push(`${field} = $${params.length}`);
    }
    const rows = await this.database.query<ProjectRow>(
      `UPDATE projects SET ${[...assignments, 'updated_at = now()'].join(', ')} WHERE id = $1 RETURNING ${COLUMNS}`,
      params,
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
    title: row.title,
    description: row.description,
    url: row.url,
    github: row.github,
    technologies: row.technologies ?? [],
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}
