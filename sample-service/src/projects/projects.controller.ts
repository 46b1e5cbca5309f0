import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Put,
  Query,
  Res,
  UseGuards,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { BearerTokenGuard } from '../http/bearer-token.guard.js';
import { uuidParam, validationFailed } from '../http/validation.js';
import {
  CreateProjectInput,
  ListProjectsQuery,
  PROJECT_FIELDS,
  UpdateProjectInput,
  type Project,
} from './project.dto.js';
import { ProjectsRepository } from './projects.repository.js';

/** Reads are public; writes need the bearer token. */
@Controller('api/projects')
export class ProjectsController {
  constructor(private readonly projects: ProjectsRepository) {}

  @Get()
  async list(@Query() query: ListProjectsQuery) {
    const items = await this.projects.list(query.limit, query.offset);
    return { items, limit: query.limit, offset: query.offset };
  }

  @Get(':id')
  async get(@Param('id', uuidParam) id: string): Promise<Project> {
    return found(id, await this.projects.get(id));
  }

  @Post()
  @UseGuards(BearerTokenGuard)
  async create(@Body() input: CreateProjectInput, @Res({ passthrough: true }) reply: FastifyReply): Promise<Project> {
    const project = await this.projects.create(input);
    reply.status(201).header('location', `/api/projects/${project.id}`);
    return project;
  }

  @Put(':id')
  @UseGuards(BearerTokenGuard)
  async update(@Param('id', uuidParam) id: string, @Body() input: UpdateProjectInput): Promise<Project> {
    // An empty update is almost always a client bug (a misspelt field is already refused as unknown).
    if (PROJECT_FIELDS.every((field) => input[field] === undefined)) {
      throw validationFailed({ body: [`a partial update must set at least one of ${PROJECT_FIELDS.join(', ')}`] });
    }
    return found(id, await this.projects.update(id, input));
  }

  @Delete(':id')
  @UseGuards(BearerTokenGuard)
  @HttpCode(204)
  async delete(@Param('id', uuidParam) id: string): Promise<void> {
    if (!(await this.projects.delete(id))) throw notFound(id);
  }
}

function found(id: string, project: Project | undefined): Project {
  if (project === undefined) throw notFound(id);
  return project;
}

function notFound(id: string): NotFoundException {
  return new NotFoundException(`Project ${id} not found`);
}
