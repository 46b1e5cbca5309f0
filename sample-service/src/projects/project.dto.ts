import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUrl,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const trimEach = ({ value }: { value: unknown }) =>
  Array.isArray(value) ? value.map((item) => (typeof item === 'string' ? item.trim() : item)) : value;

// Only web links: a javascript: or file: URL shown by a front end would be an injection, not a link.
const HTTP_URL = { protocols: ['http', 'https'], require_protocol: true, require_tld: false };
const httpUrlMessage = (field: string) => ({ message: `${field} must be an http(s) URL, e.g. https://example.com` });

export const TITLE_MAX = 200;
export const DESCRIPTION_MAX = 2000;
export const URL_MAX = 2048;
export const TECHNOLOGIES_MAX = 50;
export const TECHNOLOGY_MAX = 50;

/**
 * The optional fields of a project, shared by POST and PUT. null clears a field on PUT (and means "none" on POST).
 */
class ProjectFields {
  @IsOptional()
  @IsString()
  @MaxLength(DESCRIPTION_MAX)
  description?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(URL_MAX)
  @IsUrl(HTTP_URL, httpUrlMessage('url'))
  url?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(URL_MAX)
  @IsUrl(HTTP_URL, httpUrlMessage('github'))
  github?: string | null;

  @IsOptional()
  @Transform(trimEach)
  @IsArray()
  @ArrayMaxSize(TECHNOLOGIES_MAX)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(TECHNOLOGY_MAX, { each: true })
  technologies?: string[] | null;
}

/** Body of POST /api/projects: a title is required. */
export class CreateProjectInput extends ProjectFields {
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(TITLE_MAX)
  title: string;
}

/** Body of PUT /api/projects/:id: a partial update; the fields it leaves out keep their value. */
export class UpdateProjectInput extends ProjectFields {
  // Absent keeps the title; null is not absent: a project always has one.
  @ValidateIf((input: UpdateProjectInput) => input.title !== undefined)
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(TITLE_MAX)
  title?: string;
}

/** Query string of GET /api/projects. */
export class ListProjectsQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit: number = 50;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset: number = 0;
}

export interface Project {
  id: string;
  title: string;
  description: string | null;
  url: string | null;
  github: string | null;
  technologies: string[];
  createdAt: string;
  updatedAt: string;
}

/** The columns a write may set, in the order the repository lists them. */
export const PROJECT_FIELDS = ['title', 'description', 'url', 'github', 'technologies'] as const;
