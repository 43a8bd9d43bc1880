import { useCallback, useEffect, useState } from "preact/hooks";
import type { components } from "../api/schema";
import { useServices } from "../context";
import { useRoute } from "../router";
import { problemText, retried } from "../session";
import { Board } from "./board";
import { inputValue, type Member, type Project, type Role, useNames } from "./work";

type Invitation = components["schemas"]["Invitation"];
const INVITABLE: readonly Exclude<Role, "owner">[] = ["admin", "member", "viewer"];

/** ``#/projects`` lists the caller's projects and invitations; ``#/projects/<id>`` is a project's board. */
export function ProjectsScreen() {
  const route = useRoute("/projects");
  const id = route.startsWith("/projects/") ? decodeURIComponent(route.slice("/projects/".length)) : "";
  return id ? <ProjectPage id={id} key={id} /> : <ProjectList />;
}

function ProjectList() {
  const { api, toast } = useServices();
  const [projects, setProjects] = useState<Project[] | null>(null);
  const [invitations, setInvitations] = useState<Invitation[]>([]);
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    const { data, error: problem } = await retried(() => api.GET("/api/projects", { params: { query: { limit: 100 } } }));
    if (data) setProjects(data.items);
    else setError(problemText(problem, "Your projects could not be loaded"));
    const { data: invited } = await api.GET("/api/projects/invitations", { params: { query: { limit: 100 } } });
    setInvitations(invited?.items ?? []);
  }, [api]);
  useEffect(() => void load(), [load]);

  const create = async (event: Event) => {
    event.preventDefault();
    setError(null);
    const { data, error: problem } = await api.POST("/api/projects", {
      body: { name: name.trim(), description: description.trim() || null },
    });
    if (!data) return setError(problemText(problem, "The project could not be created"));
    toast(`Project “${data.name}” created`);
    window.location.hash = `#/projects/${data.id}`;
  };
  const answer = async (invitation: Invitation, accept: boolean) => {
    const params = { params: { path: { projectId: invitation.projectId } } };
    const { error: problem } = accept
      ? await api.POST("/api/projects/{projectId}/invitations/accept", params)
      : await api.POST("/api/projects/{projectId}/invitations/decline", params);
    if (problem) return setError(problemText(problem, "The invitation could not be answered"));
    await load();
  };

  return (
    <section aria-labelledby="projects-title">
      <h1 id="projects-title">Projects</h1>
      <form class="card" aria-label="New project" onSubmit={(event) => void create(event)}>
        <label>Project name<input value={name} required maxLength={200} onInput={(e) => setName(inputValue(e))} /></label>
        <label>Description<input value={description} maxLength={5000} onInput={(e) => setDescription(inputValue(e))} /></label>
        <button type="submit" class="primary">Create project</button>
      </form>
      {error && <p role="alert" class="error">{error}</p>}
      {invitations.length > 0 && (
        <section aria-labelledby="invitations-title">
          <h2 id="invitations-title">Invitations</h2>
          <ul class="plain">
            {invitations.map((i) => (
              <li class="card" key={i.projectId} data-testid="invitation">
                <strong>{i.projectName}</strong> <span class="muted">as {i.role}, from {i.invitedBy}</span>{" "}
                <button type="button" class="primary" onClick={() => void answer(i, true)}>Accept<span class="visually-hidden"> {i.projectName}</span></button>{" "}
                <button type="button" onClick={() => void answer(i, false)}>Decline<span class="visually-hidden"> {i.projectName}</span></button>
              </li>
            ))}
          </ul>
        </section>
      )}
      <h2>Your projects</h2>
      {projects === null ? <p>Loading your projects…</p> : projects.length === 0 ? <p class="muted">No projects yet.</p> : (
        <ul class="plain">
          {projects.map((p) => (
            <li class="card" key={p.id} data-testid="project">
              <a class="title" href={`#/projects/${p.id}`}>{p.name}</a>{" "}
              <span class="badge">{p.role ?? "member"}</span>{p.archived && <span class="badge"> archived</span>}
              {p.description && <p class="muted">{p.description}</p>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function ProjectPage({ id }: { id: string }) {
  const { api } = useServices();
  const [project, setProject] = useState<Project | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    void retried(() => api.GET("/api/projects/{projectId}", { params: { path: { projectId: id } } }))
      .then(({ data, error: problem }) => (data ? setProject(data) : setError(problemText(problem, "This project could not be loaded"))));
  }, [api, id]);

  return (
    <section aria-labelledby="project-title">
      <p><a href="#/projects">← All projects</a></p>
      <h1 id="project-title">{project ? project.name : "Project"}</h1>
      {error && <p role="alert" class="error">{error}</p>}
      {!project && !error && <p>Loading the project…</p>}
      {project && (
        <>
          {project.description && <p class="muted">{project.description}</p>}
          <Board project={project} />
          <Members project={project} />
        </>
      )}
    </section>
  );
}

function Members({ project }: { project: Project }) {
  const { api, toast } = useServices();
  const [members, setMembers] = useState<Member[] | null>(null);
  const [me, setMe] = useState<string | null>(null);
  const [userId, setUserId] = useState("");
  const [role, setRole] = useState<Exclude<Role, "owner">>("member");
  const [error, setError] = useState<string | null>(null);
  const manage = project.role === "owner" || project.role === "admin";
  const name = useNames(api, (members ?? []).map((m) => m.userId));
  const projectId = project.id;

  const load = useCallback(async () => {
    const { data } = await api.GET("/api/projects/{projectId}/members", { params: { path: { projectId }, query: { limit: 100 } } });
    setMembers(data?.items ?? []);
  }, [api, projectId]);
  useEffect(() => {
    void load();
    void api.GET("/api/users/me").then(({ data }) => setMe(data?.userId ?? null));
  }, [api, load]);

  const invite = async (event: Event) => {
    event.preventDefault();
    setError(null);
    const { error: problem } = await api.POST("/api/projects/{projectId}/invitations", {
      params: { path: { projectId } }, body: { userId: userId.trim(), role },
    });
    if (problem) return setError(problemText(problem, "The invitation could not be sent"));
    toast(`Invited ${userId.trim()} as ${role}; they become a member when they accept`);
    setUserId("");
  };
  const changeRole = async (member: Member, next: Exclude<Role, "owner">) => {
    setError(null);
    const { error: problem } = await api.PATCH("/api/projects/{projectId}/members/{userId}", {
      params: { path: { projectId, userId: member.userId } }, body: { role: next },
    });
    if (problem) setError(problemText(problem, "The role could not be changed"));
    else toast(`${name[member.userId] ?? member.userId} is now ${next}`);
    await load();
  };
  const remove = async (member: Member) => {
    setError(null);
    const { error: problem } = await api.DELETE("/api/projects/{projectId}/members/{userId}", {
      params: { path: { projectId, userId: member.userId } },
    });
    if (problem) setError(problemText(problem, "The member could not be removed"));
    await load();
  };

  return (
    <section class="card" aria-labelledby="members-title">
      <h2 id="members-title">Members and roles</h2>
      {members === null ? <p>Loading…</p> : (
        <table class="members">
          <thead><tr><th scope="col">Member</th><th scope="col">Role</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
          <tbody>
            {members.map((m) => (
              <tr key={m.userId} data-testid="member">
                <td>{name[m.userId] ?? m.userId}{m.userId === me && " (you)"}<br /><small class="muted">{m.userId}</small></td>
                <td>
                  {manage && m.role !== "owner" ? <RoleChoice member={m} name={name[m.userId] ?? m.userId} onChange={changeRole} /> : m.role}
                </td>
                <td>{manage && m.role !== "owner" && (
                  <button type="button" onClick={() => void remove(m)}>Remove<span class="visually-hidden"> {name[m.userId] ?? m.userId}</span></button>
                )}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {manage && (
        <form class="line" aria-label="Invite a member" onSubmit={(event) => void invite(event)}>
          <label class="inline">User id<input value={userId} required pattern="[A-Za-z0-9_\-]{1,64}" onInput={(e) => setUserId(inputValue(e))} /></label>
          <label class="inline">As
            <select value={role} onChange={(e) => setRole(inputValue(e) as Exclude<Role, "owner">)}>
              {INVITABLE.map((r) => <option value={r}>{r}</option>)}
            </select>
          </label>
          <button type="submit">Invite</button>
        </form>
      )}
      {error && <p role="alert" class="error">{error}</p>}
    </section>
  );
}

interface RoleChoiceProps {
  member: Member;
  name: string;
  onChange: (member: Member, role: Exclude<Role, "owner">) => Promise<void>;
}

/** A role picked first, then applied with its button: arrowing through the options changes nothing yet. */
function RoleChoice({ member, name, onChange }: RoleChoiceProps) {
  const [role, setRole] = useState(member.role as Exclude<Role, "owner">);
  useEffect(() => setRole(member.role as Exclude<Role, "owner">), [member.role]);
  return (
    <form class="line" onSubmit={(event) => {
      event.preventDefault();
      void onChange(member, role);
    }}>
      <select aria-label={`Role of ${name}`} value={role} onChange={(e) => setRole(inputValue(e) as Exclude<Role, "owner">)}>
        {INVITABLE.map((r) => <option value={r}>{r}</option>)}
      </select>
      <button type="submit" disabled={role === member.role}>Change role<span class="visually-hidden"> of {name}</span></button>
    </form>
  );
}
